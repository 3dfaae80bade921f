package dev.parvis.devices.ic;

import dev.parvis.abi.ic.FcopyHeader;
import dev.parvis.abi.ic.FcopyStart;
import dev.parvis.abi.ic.FcopyWrite;
import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.vmcore.hostfile.HostFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Guest file copy IC (reference section 9.8): START, WRITE chunks of at most
 * {@code IcConstants.FCOPY_MAX_DATA} bytes, COMPLETE; every step waits for S_OK, and any failure
 * after START sends CANCEL. One copy at a time.
 *
 * <p>The host file is hostile input like any file a request names: it is read only if it is a regular
 * file of at most {@link #MAX_FILE_BYTES} ({@link HostFile}), so a FIFO cannot block the copy and a
 * device such as /dev/zero cannot stream into the guest forever.
 */
public final class FileCopyService extends IcService {
    public static final Guid INSTANCE = Guid.parse("34d14be3-dee4-41c8-9ae7-50415256495e");

    /** The largest host file this service copies into a guest. */
    public static final long MAX_FILE_BYTES = 4L << 30;

    private final ReentrantLock oneCopy = new ReentrantLock();

    public FileCopyService() {
        super("fcopy", DeviceClass.FILE_COPY, INSTANCE, IcMessageType.FCOPY, IcVersions.of(IcVersions.FCOPY));
    }

    @Override
    protected void onNegotiated(IcChannel channel, IcVersions.Negotiated versions) {
    }

    /**
     * Copies {@code hostFile} to {@code guestName} (a guest path; the part after the last '/' or
     * '\' is the file name).
     *
     * @return the bytes copied
     * @throws IcException when the guest refuses a step or does not answer (the copy is cancelled)
     */
    public long copyToGuest(Path hostFile, String guestName, boolean overwrite) throws IOException, IcException {
        int slash = Math.max(guestName.lastIndexOf('/'), guestName.lastIndexOf('\\'));
        String file = guestName.substring(slash + 1);
        String path = slash < 0 ? "" : slash == 0 ? guestName.substring(0, 1) : guestName.substring(0, slash);
        if (file.isEmpty()) {
            throw new IllegalArgumentException("guest name has no file name: " + guestName);
        }
        oneCopy.lock();
        try (FileChannel in = HostFile.openForReading(hostFile, MAX_FILE_BYTES, HostFile.Links.FOLLOW)) {
            long size = in.size();
            IcChannel channel = requireChannel();
            FcopyStart start = new FcopyStart(FcopyHeader.of(IcConstants.FCOPY_START), file, path,
                    overwrite ? IcConstants.FCOPY_FLAG_OVERWRITE : 0, size);
            step(channel, "START", FcopyStart.SIZE, start::write);
            try {
                long copied = writeAll(channel, hostFile, in, size);
                step(channel, "COMPLETE", FcopyHeader.SIZE, FcopyHeader.of(IcConstants.FCOPY_COMPLETE)::write);
                return copied;
            } catch (IOException | IcException | RuntimeException e) {
                cancel(channel);
                throw e;
            }
        } finally {
            oneCopy.unlock();
        }
    }

    /** Sends exactly {@code size} bytes, the size announced in START; a file that changed meanwhile fails the copy. */
    private long writeAll(IcChannel channel, Path hostFile, FileChannel in, long size) throws IOException, IcException {
        ByteBuffer chunk = ByteBuffer.allocate(IcConstants.FCOPY_MAX_DATA);
        long offset = 0;
        while (offset < size) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - offset));
            int n = in.read(chunk, offset);
            if (n <= 0) {
                throw new IOException(hostFile + " shrank during the copy: " + size + " -> " + offset + " bytes");
            }
            FcopyWrite w = new FcopyWrite(FcopyHeader.of(IcConstants.FCOPY_WRITE), offset, n, Arrays.copyOf(chunk.array(), n));
            step(channel, "WRITE at " + offset, FcopyWrite.SIZE, w::write);
            offset += n;
        }
        if (in.size() != size) {
            throw new IOException(hostFile + " changed size during the copy: " + size + " -> " + in.size() + " bytes");
        }
        return offset;
    }

    private static void step(IcChannel channel, String what, int size, Consumer<MemorySegment> body) throws IcException {
        IcResponse r = channel.transact(size, body, DEFAULT_TIMEOUT);
        if (!r.result().succeeded()) {
            throw new IcException("guest refused file copy " + what + ": " + r.result(), r.result());
        }
    }

    private static void cancel(IcChannel channel) {
        try {
            channel.transact(FcopyHeader.SIZE, FcopyHeader.of(IcConstants.FCOPY_CANCEL)::write, DEFAULT_TIMEOUT);
        } catch (IcException e) {
            // Best effort: the copy failed already.
        }
    }
}
