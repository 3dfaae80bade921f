package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.fuzz.Expectation.DataEffect;
import dev.parvis.devices.storvsp.fuzz.Expectation.NoData;
import dev.parvis.devices.storvsp.fuzz.Expectation.ReadBlocks;
import dev.parvis.devices.storvsp.fuzz.Expectation.WriteBlocks;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.util.ArrayList;
import java.util.List;

/**
 * The fuzz test's oracle for one CDB on a direct-access unit, written from SPC-4 and SBC-3 (not
 * from LogicalUnit): the command it names, and every answer the standards allow for it. Where they
 * leave an order open (an LBA out of range and a length that does not match the buffer), each
 * possible answer is allowed. Parameter data is checked by {@link ScsiResponses}.
 */
final class ScsiModel {
    static final int MAX_TRANSFER = 2 << 20;

    private ScsiModel() {
    }

    /** What the command is, as far as the transport needs to know. */
    enum Kind {
        TEST_UNIT_READY(0x00, false, false), REQUEST_SENSE(0x03, true, false), INQUIRY(0x12, true, false),
        MODE_SENSE_6(0x1A, true, false), READ_CAPACITY_10(0x25, true, false), READ_10(0x28, true, true),
        WRITE_10(0x2A, false, true), SYNCHRONIZE_CACHE_10(0x35, false, true), UNMAP(0x42, false, true),
        MODE_SENSE_10(0x5A, true, false), READ_16(0x88, true, true), WRITE_16(0x8A, false, true),
        SYNCHRONIZE_CACHE_16(0x91, false, true), SERVICE_ACTION_IN_16(0x9E, true, false), REPORT_LUNS(0xA0, true, false),
        UNKNOWN(-1, false, false);

        final int opcode;
        final boolean dataIn;
        final boolean touchesDisk;

        Kind(int opcode, boolean dataIn, boolean touchesDisk) {
            this.opcode = opcode;
            this.dataIn = dataIn;
            this.touchesDisk = touchesDisk;
        }

        static Kind of(int opcode) {
            for (Kind k : values()) {
                if (k.opcode == opcode) {
                    return k;
                }
            }
            return UNKNOWN;
        }
    }

    /** The guest's buffer: its length, and its first bytes as the host will read them. */
    interface Buffer {
        long length();

        byte[] head(int count);
    }

    /** One answer: GOOD when {@code sense} is null. */
    record Answer(Sense sense, long transferred, DataEffect effect) {
        static Answer check(Sense sense) {
            return new Answer(sense, 0, new NoData());
        }
    }

    /** A CDB decoded: its kind and the errors its own fields show (each one an allowed answer). */
    record Decoded(Kind kind, Cdb cdb, List<Sense> cdbErrors) {
        boolean refused() {
            return !cdbErrors.isEmpty();
        }

        /** A command that reads or writes the disk file (so it may wait at the disk: BUSY is possible behind it). */
        boolean touchesDisk() {
            return kind.touchesDisk && !refused();
        }

        /** REPORT LUNS, which the controller answers for target 0 whatever the LUN. */
        boolean reportLuns() {
            return kind == Kind.REPORT_LUNS && cdb.length() >= 12;
        }
    }

    /** The CDB's bytes, big-endian fields read past its end as zero. */
    record Cdb(byte[] bytes) {
        int length() {
            return bytes.length;
        }

        int u8(int at) {
            return at < bytes.length ? bytes[at] & 0xFF : 0;
        }

        int u16(int at) {
            return u8(at) << 8 | u8(at + 1);
        }

        long u32(int at) {
            return (long) u16(at) << 16 | u16(at + 2);
        }

        long u64(int at) {
            return u32(at) << 32 | u32(at + 4);
        }
    }

    static Decoded decode(byte[] bytes) {
        Cdb cdb = new Cdb(bytes);
        if (bytes.length == 0) {
            return new Decoded(Kind.UNKNOWN, cdb, List.of(Sense.INVALID_FIELD_IN_CDB));
        }
        Kind kind = Kind.of(cdb.u8(0));
        int group = groupLength(cdb.u8(0));
        boolean shortCdb = group != 0 && bytes.length < group;
        if (kind == Kind.UNKNOWN) {
            return new Decoded(kind, cdb, shortCdb ? List.of(Sense.INVALID_COMMAND_OPERATION_CODE, Sense.INVALID_FIELD_IN_CDB)
                    : List.of(Sense.INVALID_COMMAND_OPERATION_CODE));
        }
        if (shortCdb) {
            return new Decoded(kind, cdb, List.of(Sense.INVALID_FIELD_IN_CDB));
        }
        return new Decoded(kind, cdb, ScsiResponses.fieldErrors(kind, cdb));
    }

    /** SPC-4 4.2.5.1: the CDB length of each opcode group, by its top 3 bits (0: reserved and vendor groups). */
    private static final int[] GROUP_LENGTHS = {6, 10, 10, 0, 16, 12, 0, 0};

    private static int groupLength(int opcode) {
        return GROUP_LENGTHS[opcode >>> 5];
    }

    /** Every answer {@code unit} (null for REPORT LUNS routed to the controller) may give. */
    static List<Answer> answers(Decoded d, ShadowDisk unit, List<Integer> luns, Buffer buffer) {
        if (d.refused()) {
            return d.cdbErrors().stream().map(Answer::check).toList();
        }
        Cdb c = d.cdb();
        return switch (d.kind()) {
            case TEST_UNIT_READY -> List.of(new Answer(null, 0, new NoData()));
            case READ_10 -> transfer(unit, c.u32(2), c.u16(7), false, buffer);
            case READ_16 -> transfer(unit, c.u64(2), c.u32(10), false, buffer);
            case WRITE_10 -> transfer(unit, c.u32(2), c.u16(7), true, buffer);
            case WRITE_16 -> transfer(unit, c.u64(2), c.u32(10), true, buffer);
            case SYNCHRONIZE_CACHE_10 -> synchronize(unit, c.u32(2), c.u16(7));
            case SYNCHRONIZE_CACHE_16 -> synchronize(unit, c.u64(2), c.u32(10));
            case UNMAP -> UnmapModel.answers(unit, c.u16(7), buffer);
            default -> ScsiResponses.answers(d.kind(), c, unit, luns, buffer.length());
        };
    }

    /** Whether {@code [lba, lba + count)} lies inside the unit (lba and count unsigned). */
    static boolean inside(ShadowDisk unit, long lba, long count) {
        return Long.compareUnsigned(lba, unit.blocks) <= 0 && count <= unit.blocks - lba;
    }

    /** READ or WRITE (10/16): SBC-3 5.11, 5.32. */
    private static List<Answer> transfer(ShadowDisk unit, long lba, long count, boolean write, Buffer buffer) {
        List<Answer> out = new ArrayList<>();
        boolean inside = inside(unit, lba, count);
        if (!inside || count == 0 && lba == unit.blocks) {
            out.add(Answer.check(Sense.LBA_OUT_OF_RANGE)); // a transfer of nothing at the end: either answer
        }
        boolean lengthMatches = count * unit.sector == buffer.length();
        if (!lengthMatches) {
            out.add(Answer.check(Sense.INVALID_FIELD_IN_CDB));
        }
        if (write && unit.readOnly) {
            out.add(Answer.check(Sense.WRITE_PROTECTED));
        }
        if (inside && lengthMatches && (!write || !unit.readOnly || count == 0)) {
            int bytes = (int) buffer.length();
            DataEffect effect = bytes == 0 ? new NoData()
                    : write ? new WriteBlocks(unit, lba, buffer.head(bytes)) : new ReadBlocks(unit, lba, bytes);
            out.add(new Answer(null, bytes, effect));
        }
        return out;
    }

    /** SYNCHRONIZE CACHE (10/16), SBC-3 5.22: a count of zero means to the last block. */
    private static List<Answer> synchronize(ShadowDisk unit, long lba, long count) {
        List<Answer> out = new ArrayList<>();
        boolean inside = count == 0 ? Long.compareUnsigned(lba, unit.blocks) <= 0 : inside(unit, lba, count);
        if (!inside || lba == unit.blocks) {
            out.add(Answer.check(Sense.LBA_OUT_OF_RANGE));
        }
        if (inside) {
            out.add(new Answer(null, 0, new NoData()));
        }
        return out;
    }
}
