package dev.parvis.vmbus.device;

import java.util.List;

/**
 * The ranges of one GPA-direct packet mapped for a device, valid beyond the packet's handler (a
 * device may finish the I/O on another thread). The segments live in the child's RAM window: they
 * die (accesses throw IllegalStateException) when any page of the child leaves its GPA map or the
 * connection ends, never while an NIO call is reading or writing them. The device closes the
 * buffers when the request is done.
 */
public interface GpaDirectBuffers extends AutoCloseable {

    List<GpaDirectRange> ranges();

    @Override
    void close();
}
