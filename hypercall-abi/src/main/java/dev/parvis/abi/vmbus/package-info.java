/**
 * VMBus wire definitions as data: control (channel) messages, ring control page, packet descriptor,
 * GPA ranges, pipe header, protocol versions and device class GUIDs (reference sections 6-8;
 * docs/vmbus.md). No I/O and no state; exported to C in {@code parvis/hvabi.h}.
 */
package dev.parvis.abi.vmbus;
