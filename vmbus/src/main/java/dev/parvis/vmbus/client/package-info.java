/**
 * A Java VMBus client acting as a guest, for tests and Java-side tools: negotiation, offers,
 * GPADLs, channels over the shared ring code (hyperv-abi-vmbus.md sections 6.5, 6.6 and 7).
 */
package dev.parvis.vmbus.client;
