/**
 * An in-process VMBus transport: a {@link dev.parvis.vmbus.client.VmbusClient} and a
 * {@link dev.parvis.vmbus.server.VmbusServer} joined by queues and fake guest memory, no
 * hypervisor (hyperv-abi-vmbus.md sections 6.1 and 6.7; docs/vmbus.md).
 */
package dev.parvis.vmbus.loopback;
