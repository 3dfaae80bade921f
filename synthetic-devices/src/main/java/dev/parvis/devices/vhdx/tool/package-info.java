/**
 * {@code ./parvis vhd}: create, inspect, resize and merge VHDX files from the command line, through the
 * same operations the management layer calls.
 */
package dev.parvis.devices.vhdx.tool;
