package dev.parvis.vmcore.hostfile;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A host file {@link HostFile#open} checked and opened: a channel for ordinary I/O and a reader that
 * never waits for the disk, both on the object that was checked.
 */
public record OpenedHostFile(FileChannel channel, PageCacheReader pageCache) implements AutoCloseable {

    @Override
    public void close() throws IOException {
        try {
            pageCache.close();
        } finally {
            channel.close();
        }
    }
}
