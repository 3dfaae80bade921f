package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.fuzz.Expectation.NoData;
import dev.parvis.devices.storvsp.fuzz.Expectation.UnmapBlocks;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Answer;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Buffer;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The fuzz test's oracle for UNMAP (SBC-3 5.28) with the limits the device advertises in VPD page
 * 0xB0 (which {@link ScsiResponses} checks): the parameter list comes from the guest's buffer, its
 * descriptors are {LBA u64, count u32, reserved u32}, a partial last descriptor is ignored.
 */
final class UnmapModel {
    static final int MAX_DESCRIPTORS = 256;
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;

    private UnmapModel() {
    }

    /** MAXIMUM UNMAP LBA COUNT: 8 MiB of blocks per descriptor. */
    static long maxUnmapBlocks(ShadowDisk unit) {
        return (8L << 20) / unit.sector;
    }

    static List<Answer> answers(ShadowDisk unit, int parameterListLength, Buffer buffer) {
        List<Answer> out = new ArrayList<>();
        if (unit.readOnly && parameterListLength > 0) {
            out.add(Answer.check(Sense.WRITE_PROTECTED));
        }
        if (parameterListLength == 0) {
            out.add(new Answer(null, 0, new NoData())); // "shall not be considered an error"
            return out;
        }
        if (parameterListLength < HEADER || parameterListLength > buffer.length()) {
            out.add(Answer.check(Sense.PARAMETER_LIST_LENGTH_ERROR));
            return out;
        }
        ByteBuffer list = ByteBuffer.wrap(buffer.head(parameterListLength));
        int count = Math.min(Short.toUnsignedInt(list.getShort(2)), parameterListLength - HEADER) / DESCRIPTOR;
        boolean good = !unit.readOnly;
        if (count > MAX_DESCRIPTORS) {
            out.add(Answer.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST));
            good = false;
        }
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long lba = list.getLong(HEADER + i * DESCRIPTOR);
            long blocks = Integer.toUnsignedLong(list.getInt(HEADER + i * DESCRIPTOR + 8));
            boolean inside = ScsiModel.inside(unit, lba, blocks);
            if (!inside) {
                out.add(Answer.check(Sense.LBA_OUT_OF_RANGE));
            }
            if (blocks > maxUnmapBlocks(unit)) {
                out.add(Answer.check(Sense.INVALID_FIELD_IN_PARAMETER_LIST));
            }
            good &= inside && blocks <= maxUnmapBlocks(unit);
            if (blocks > 0) {
                ranges.add(new long[] {lba, blocks});
            }
        }
        if (good) {
            out.add(new Answer(null, 0, new UnmapBlocks(unit, ranges)));
        }
        return out;
    }
}
