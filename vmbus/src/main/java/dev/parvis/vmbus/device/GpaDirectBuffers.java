package dev.parvis.vmbus.device;

import java.util.List;

/**
 * The ranges of one GPA-direct packet mapped for a device. Holds a grant on the guest pages until
 * closed; accesses after {@link #close} (or after the kernel revoked a page) throw
 * IllegalStateException.
 */
public interface GpaDirectBuffers extends AutoCloseable {

    List<GpaDirectRange> ranges();

    @Override
    void close();
}
