/**
 * One record per hypercall input or output layout, each with its {@code LAYOUT}, {@code read} and
 * {@code write} (reference sections 3.1-3.4).
 */
package dev.parvis.abi.hv.input;
