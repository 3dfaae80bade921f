/**
 * A storvsc client in Java (the guest side of hyperv-abi-vmbus.md section 10) over the VMBus
 * client channel: for protocol tests through the loopback and for the storage benchmark.
 */
package dev.parvis.devices.storvsp.client;
