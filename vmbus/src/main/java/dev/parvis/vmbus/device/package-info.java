/**
 * The device-facing VMBus API for virtual service providers (VSPs): device classes the server
 * offers, the channel handle a device sends on, and the echo test device (hyperv-abi-vmbus.md
 * sections 6.6 and 7; docs/vmbus.md).
 */
package dev.parvis.vmbus.device;
