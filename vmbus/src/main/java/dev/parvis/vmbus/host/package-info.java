/**
 * VMBus on the real hypervisor: the root-side wiring of each child's VMBus connection (message and
 * event ports made with root hypercalls), the pump from the root SynIC into each child's
 * {@link dev.parvis.vmbus.server.VmbusServer}, and its effects as hypercalls and grants
 * (reference section 6.1 and 6.7; docs/vmbus.md "Transport wiring").
 */
package dev.parvis.vmbus.host;
