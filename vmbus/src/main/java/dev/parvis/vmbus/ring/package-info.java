/**
 * The VMBus ring buffer shared by the root's VMBus server and the Java VMBus client: packets in a
 * ring of guest-shared memory, its space accounting and signalling rules (reference section 7).
 */
package dev.parvis.vmbus.ring;
