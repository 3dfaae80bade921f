package dev.parvis.devices.storvsp.scsi;

import dev.parvis.vmcore.log.LogBudget;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SCSI logical unit: a direct-access block device over a {@link BackingDisk}. Executes decoded
 * commands against the guest's buffer and answers every error with CHECK CONDITION and the sense
 * SPC-4/SBC-3 give for it. {@link #execute} blocks on file I/O for the commands {@link #touchesDisk}
 * names, so the transport runs those on the disk's own threads; it is safe from several threads.
 */
public final class LogicalUnit {
    static final int MAX_UNMAP_DESCRIPTORS = 256;
    private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);
    private static final int UNMAP_HEADER = 8;
    private static final int UNMAP_DESCRIPTOR = 16;
    private static final int ZERO_CHUNK = 1 << 20;

    private final BackingDisk disk;
    private final int sector;
    private final long blocks;
    private final long maxUnmapBlocks;
    private final InquiryData inquiry;
    private final AtomicReference<Sense> unitAttention = new AtomicReference<>();
    private final LogBudget errors = LogBudget.standard();

    public LogicalUnit(BackingDisk disk, int maxTransferBytes) {
        this.disk = disk;
        this.sector = disk.logicalSectorSize();
        this.blocks = disk.sizeBytes() / sector;
        this.maxUnmapBlocks = (8L << 20) / sector;
        this.inquiry = new InquiryData(disk, maxTransferBytes, maxUnmapBlocks);
    }

    public BackingDisk disk() {
        return disk;
    }

    /** Whether {@code command} reads or writes the disk file (and so must not run on a VMBus thread). */
    public static boolean touchesDisk(ScsiCommand command) {
        return command instanceof ScsiCommand.Read || command instanceof ScsiCommand.Write
                || command instanceof ScsiCommand.SynchronizeCache || command instanceof ScsiCommand.Unmap;
    }

    /** Makes the next command (other than INQUIRY, REPORT LUNS, REQUEST SENSE) end with this unit attention. */
    public void raiseUnitAttention(Sense sense) {
        unitAttention.set(sense);
    }

    /** Clears a pending unit attention if it is {@code sense} (REPORT LUNS clears REPORTED LUNS DATA CHANGED). */
    public void clearUnitAttention(Sense sense) {
        unitAttention.compareAndSet(sense, null);
    }

    public ScsiResult execute(ScsiCommand command, ScsiData data) {
        if (!(command instanceof ScsiCommand.Inquiry || command instanceof ScsiCommand.RequestSense
                || command instanceof ScsiCommand.ReportLuns || command instanceof ScsiCommand.Refused)) {
            // Read before taking: a write on every command would bounce the line between the disk's threads.
            Sense attention = unitAttention.get() == null ? null : unitAttention.getAndSet(null);
            if (attention != null) {
                return ScsiResult.check(attention);
            }
        }
        return switch (command) {
            case ScsiCommand.TestUnitReady t -> ScsiResult.good(0);
            case ScsiCommand.RequestSense r -> requestSense(r, data);
            case ScsiCommand.Inquiry i -> inquiry(i, data);
            case ScsiCommand.ReadCapacity10 r -> reply(readCapacity10(), data, 8);
            case ScsiCommand.ReadCapacity16 r -> reply(readCapacity16(), data, r.allocationLength());
            case ScsiCommand.Read r -> read(r, data);
            case ScsiCommand.Write w -> write(w, data);
            case ScsiCommand.SynchronizeCache s -> synchronize(s);
            case ScsiCommand.ModeSense m -> modeSense(m, data);
            case ScsiCommand.Unmap u -> unmap(u, data);
            case ScsiCommand.ReportLuns r -> ScsiResult.check(Sense.INVALID_COMMAND_OPERATION_CODE); // the controller answers it
            case ScsiCommand.Refused r -> ScsiResult.check(r.sense());
        };
    }

    /**
     * Runs {@code command} now if it can complete without waiting (a READ whose bytes are all in
     * memory), for the thread that received it; null when it must go to the disk's threads through
     * {@link #execute} (which then also reports any error or pending unit attention).
     */
    public ScsiResult executeIfCached(ScsiCommand command, ScsiData data) {
        if (!(command instanceof ScsiCommand.Read r) || unitAttention.get() != null
                || checkTransfer(r.lba(), r.blocks(), data) != null) {
            return null;
        }
        long offset = r.lba() * sector;
        for (MemorySegment piece : data.pieces()) {
            if (!disk.readCached(offset, piece)) {
                return null;
            }
            offset += piece.byteSize();
        }
        return ScsiResult.good((int) data.length());
    }

    /** Copies up to {@code allocation} bytes of {@code bytes} into the guest's buffer. */
    static ScsiResult reply(byte[] bytes, ScsiData data, int allocation) {
        return ScsiResult.good(data.fill(bytes, Math.min(bytes.length, allocation)));
    }

    private ScsiResult requestSense(ScsiCommand.RequestSense r, ScsiData data) {
        if (r.descriptorFormat()) {
            return ScsiResult.check(Sense.INVALID_FIELD_IN_CDB);
        }
        Sense pending = unitAttention.getAndSet(null);
        return reply((pending == null ? Sense.NO_SENSE : pending).fixedFormat(Sense.FIXED_FORMAT_SIZE), data,
                r.allocationLength());
    }

    private ScsiResult inquiry(ScsiCommand.Inquiry i, ScsiData data) {
        if (!i.vitalProductData()) {
            return reply(inquiry.standard(), data, i.allocationLength());
        }
        byte[] page = inquiry.vpd(i.pageCode());
        return page == null ? ScsiResult.check(Sense.INVALID_FIELD_IN_CDB) : reply(page, data, i.allocationLength());
    }

    private byte[] readCapacity10() {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putInt((int) Math.min(blocks - 1, 0xFFFFFFFFL)).putInt(sector);
        return b.array();
    }

    private byte[] readCapacity16() {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putLong(blocks - 1).putInt(sector);
        int exponent = Integer.numberOfTrailingZeros(Math.max(1, disk.physicalSectorSize() / sector));
        b.put(12, (byte) 0).put(13, (byte) exponent);
        b.put(14, (byte) 0xC0); // LBPME (UNMAP works), LBPRZ (unmapped blocks read zero)
        return b.array();
    }

    private ScsiResult modeSense(ScsiCommand.ModeSense m, ScsiData data) {
        Sense refused = ModePages.refusal(m);
        return refused != null ? ScsiResult.check(refused) : reply(ModePages.build(m, disk), data, m.allocationLength());
    }

    /** LBA OUT OF RANGE, INVALID FIELD IN CDB (length differs from the buffer), or null. */
    private Sense checkTransfer(long lba, long count, ScsiData data) {
        if (lba < 0 || count < 0 || lba > blocks || count > blocks - lba) {
            return Sense.LBA_OUT_OF_RANGE;
        }
        return count * sector != data.length() ? Sense.INVALID_FIELD_IN_CDB : null;
    }

    private ScsiResult read(ScsiCommand.Read r, ScsiData data) {
        Sense refused = checkTransfer(r.lba(), r.blocks(), data);
        if (refused != null) {
            return ScsiResult.check(refused);
        }
        try {
            SectorTransfer.read(data, r.lba() * sector, sector, disk::read);
        } catch (IOException | IllegalArgumentException e) {
            return ioFailed("read", e, Sense.UNRECOVERED_READ_ERROR);
        }
        return ScsiResult.good((int) data.length());
    }

    private ScsiResult write(ScsiCommand.Write w, ScsiData data) {
        Sense refused = checkTransfer(w.lba(), w.blocks(), data);
        if (refused != null) {
            return ScsiResult.check(refused);
        }
        if (disk.readOnly()) {
            return ScsiResult.check(Sense.WRITE_PROTECTED);
        }
        try {
            SectorTransfer.write(data, w.lba() * sector, sector, disk::write);
            if (w.forceUnitAccess()) {
                disk.flush();
            } else {
                disk.settle();
            }
        } catch (IOException | IllegalArgumentException e) {
            return ioFailed("write", e, Sense.WRITE_ERROR);
        }
        return ScsiResult.good((int) data.length());
    }

    private ScsiResult synchronize(ScsiCommand.SynchronizeCache s) {
        long count = s.blocks() == 0 ? blocks - Math.max(0, Math.min(s.lba(), blocks)) : s.blocks();
        if (s.lba() < 0 || s.lba() > blocks || count > blocks - s.lba()) {
            return ScsiResult.check(Sense.LBA_OUT_OF_RANGE);
        }
        try {
            disk.flush();
        } catch (IOException e) {
            return ioFailed("flush", e, Sense.WRITE_ERROR);
        }
        return ScsiResult.good(0);
    }

    private ScsiResult unmap(ScsiCommand.Unmap u, ScsiData data) {
        if (u.parameterListLength() == 0) {
            return ScsiResult.good(0);
        }
        if (u.parameterListLength() < UNMAP_HEADER || u.parameterListLength() > data.length()) {
            return ScsiResult.check(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (disk.readOnly()) {
            return ScsiResult.check(Sense.WRITE_PROTECTED);
        }
        ByteBuffer list = ByteBuffer.wrap(data.head(u.parameterListLength()));
        int descriptorBytes = Short.toUnsignedInt(list.getShort(2));
        int count = Math.min(descriptorBytes, list.capacity() - UNMAP_HEADER) / UNMAP_DESCRIPTOR;
        if (count > MAX_UNMAP_DESCRIPTORS) {
            return ScsiResult.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
        }
        for (int i = 0; i < count; i++) {
            long lba = list.getLong(UNMAP_HEADER + i * UNMAP_DESCRIPTOR);
            long n = Integer.toUnsignedLong(list.getInt(UNMAP_HEADER + i * UNMAP_DESCRIPTOR + 8));
            if (lba < 0 || lba > blocks || n > blocks - lba) {
                return ScsiResult.check(Sense.LBA_OUT_OF_RANGE);
            }
            if (n > maxUnmapBlocks) {
                return ScsiResult.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST);
            }
        }
        try {
            for (int i = 0; i < count; i++) {
                zero(list.getLong(UNMAP_HEADER + i * UNMAP_DESCRIPTOR),
                        Integer.toUnsignedLong(list.getInt(UNMAP_HEADER + i * UNMAP_DESCRIPTOR + 8)));
            }
            disk.settle();
        } catch (IOException | IllegalArgumentException e) {
            return ioFailed("unmap", e, Sense.WRITE_ERROR);
        }
        return ScsiResult.good(0);
    }

    /** Unmapped blocks read as zero (LBPRZ), so UNMAP writes zeros over the range. */
    private void zero(long lba, long count) throws IOException {
        long offset = lba * sector;
        long left = count * sector;
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, Math.max(left, sector)));
        while (left > 0) {
            int n = (int) Math.min(left, zeros.capacity());
            disk.write(offset, zeros.clear().limit(n));
            offset += n;
            left -= n;
        }
    }

    private ScsiResult ioFailed(String what, Exception e, Sense sense) {
        long suppressed = errors.acquire();
        if (suppressed >= 0) {
            LOG.warn("{}: {} failed ({} similar lines suppressed): {}", disk.name(), what, suppressed, e.toString());
        }
        return ScsiResult.check(sense);
    }
}
