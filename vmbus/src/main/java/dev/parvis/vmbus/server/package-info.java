/**
 * The root-side VMBus server for one child connection: an I/O-free state machine fed with control
 * messages and channel signals, reporting every side effect through {@link
 * dev.parvis.vmbus.server.ServerEffects} (hyperv-abi-vmbus.md sections 6 and 7; docs/vmbus.md).
 */
package dev.parvis.vmbus.server;
