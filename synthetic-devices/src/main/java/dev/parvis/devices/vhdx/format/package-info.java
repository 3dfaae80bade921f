/**
 * The VHDX on-disk structures as pure codecs ([MS-VHDX] sections 2.2-2.6; digest in
 * shared/reference/vhdx.md): records with a {@code MemoryLayout}, {@code read}/{@code write} against a
 * {@code MemorySegment}, CRC-32C, the BAT geometry and the log entry format. No I/O and no state.
 */
package dev.parvis.devices.vhdx.format;
