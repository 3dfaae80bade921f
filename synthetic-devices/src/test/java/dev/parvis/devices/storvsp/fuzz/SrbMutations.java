package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * What the fuzzing guest does to a well-formed EXECUTE_SRB: one field of the SRB, the CDB, the
 * GPA-direct header or the packet set to a bound (zero, all ones, one past, one short, the transfer
 * limit and past it) or to random bits. Pages it names are its request's own or ones the guest does
 * not have, so no mutation grants the host memory another request owns.
 */
final class SrbMutations {
    private static final int MUTATIONS = 17;

    private final Random random;
    private final GuestDataArea area;

    SrbMutations(Random random, GuestDataArea area) {
        this.random = random;
        this.area = area;
    }

    /** Applies one mutation; returns false when it does not fit the draft (the caller picks another). */
    boolean mutate(Draft d) {
        return switch (random.nextInt(MUTATIONS)) {
            case 0 -> set(d, "cdb_length", Draft.CDB_LENGTH, pick(0, 1, 5, 6, 9, 10, 11, 12, 15, 16, 17, 20, 255, random.nextInt(256)));
            case 1 -> set(d, "lun", Draft.LUN, pick(0, 1, 2, 3, 7, 254, 255, random.nextInt(256)));
            case 2 -> set(d, random.nextBoolean() ? "path" : "target", random.nextBoolean() ? Draft.PATH : Draft.TARGET,
                    pick(1, 2, 255, random.nextInt(256)));
            case 3 -> set(d, "data_in", Draft.DATA_IN, pick(0, 1, 2, 3, 255));
            case 4 -> flags(d);
            case 5 -> ignoredField(d);
            case 6 -> transferLength(d);
            case 7 -> cdbByte(d);
            case 8 -> lba(d);
            case 9 -> blocks(d);
            case 10 -> allocation(d);
            case 11, 12 -> GpaHeaderMutations.mutate(random, area, d);
            case 13 -> packetType(d);
            case 14 -> payloadSize(d);
            case 15 -> consistentLength(d);
            default -> operation(d);
        };
    }

    private int pick(int... values) {
        return values[random.nextInt(values.length)];
    }

    private long pickLong(long... values) {
        return values[random.nextInt(values.length)];
    }

    private boolean set(Draft d, String field, int at, int value) {
        d.payload[at] = (byte) value;
        d.label(field + "=" + value);
        return true;
    }

    private boolean flags(Draft d) {
        int flags = random.nextBoolean() ? d.vstor().getInt(Draft.SRB_FLAGS) ^ 0x20 : random.nextInt();
        d.vstor().putInt(Draft.SRB_FLAGS, flags);
        d.label("srb_flags=0x" + Integer.toHexString(flags));
        return true;
    }

    /** A field the host echoes and otherwise ignores: length, port, sense length, queue fields, timeout. */
    private boolean ignoredField(Draft d) {
        int at = pick(Draft.SRB, Draft.SRB + 1, Draft.PORT, Draft.SENSE_LENGTH, Draft.SRB + 11, Draft.SRB + 36,
                Draft.SRB + 38, Draft.SRB + 39, Draft.SRB + 44, Draft.SRB + 48, 4, 8);
        d.payload[at] = (byte) random.nextInt(256);
        d.label("ignored byte " + at + "=" + (d.payload[at] & 0xFF));
        return true;
    }

    /** data_transfer_length alone: now it disagrees with the buffer (or says a buffer is there that is not). */
    private boolean transferLength(Draft d) {
        int value = (int) pickLong(0, d.length - 1L, d.length + 1L, d.length - 512L, d.length + 512L, d.length + 4096L,
                0xFFFFFFFFL, 0x80000000L, ScsiModel.MAX_TRANSFER, ScsiModel.MAX_TRANSFER + 512L, random.nextInt());
        d.vstor().putInt(Draft.TRANSFER_LENGTH, value);
        d.label("data_transfer_length=" + Integer.toUnsignedString(value));
        return true;
    }

    private boolean cdbByte(Draft d) {
        int at = random.nextInt(random.nextBoolean() ? Math.max(1, d.cdbLength) : 16);
        int value = at == 0 ? random.nextInt(256) : pick(0, 0xFF, 1 << random.nextInt(8), random.nextInt(256));
        d.payload[Draft.CDB + at] = (byte) value;
        d.label("cdb[" + at + "]=0x" + Integer.toHexString(value));
        return true;
    }

    /** The LBA of a READ, WRITE or SYNCHRONIZE CACHE at the disk's end, past it, or at the top of its field. */
    private boolean lba(Draft d) {
        if (!(d.kind.touchesDisk && d.kind != Kind.UNMAP) || d.unit == null) {
            return false;
        }
        long end = d.unit.blocks;
        long lba = pickLong(end, end - d.blocks + 1, end - 1, end + 1, 0xFFFFFFFFL, 1L << 63, -1L, Long.MAX_VALUE,
                random.nextLong(end));
        ByteBuffer c = d.cdb();
        if (d.cdbLength == 16) {
            c.putLong(2, lba);
        } else {
            c.putInt(2, (int) lba);
        }
        d.label("lba=" + Long.toUnsignedString(d.cdbLength == 16 ? lba : lba & 0xFFFFFFFFL));
        return true;
    }

    private boolean blocks(Draft d) {
        if (!(d.kind.touchesDisk && d.kind != Kind.UNMAP) || d.unit == null) {
            return false;
        }
        long blocks = pickLong(0, d.blocks + 1, d.blocks - 1, 0xFFFF, 0xFFFFFFFFL, ScsiModel.MAX_TRANSFER / d.unit.sector + 1L,
                d.unit.blocks, d.unit.blocks + 1);
        ByteBuffer c = d.cdb();
        if (d.cdbLength == 16) {
            c.putInt(10, (int) blocks);
        } else {
            c.putShort(7, (short) blocks);
        }
        d.label("blocks=" + (d.cdbLength == 16 ? blocks & 0xFFFFFFFFL : blocks & 0xFFFF));
        return true;
    }

    /** The allocation (or parameter list) length of a command that has one. */
    private boolean allocation(Draft d) {
        int at = switch (d.kind) {
            case INQUIRY -> 3;
            case MODE_SENSE_10, UNMAP -> 7;
            case REPORT_LUNS -> 6;
            case SERVICE_ACTION_IN_16 -> 10;
            case MODE_SENSE_6, REQUEST_SENSE -> 4;
            default -> -1;
        };
        if (at < 0) {
            return false;
        }
        int value = pick(0, 1, 7, 8, 15, 16, 17, d.length - 1, d.length + 1, 0xFFFF, random.nextInt());
        ByteBuffer c = d.cdb();
        switch (d.kind) {
            case REPORT_LUNS, SERVICE_ACTION_IN_16 -> c.putInt(at, value);
            case MODE_SENSE_6, REQUEST_SENSE -> c.put(at, (byte) value);
            default -> c.putShort(at, (short) value);
        }
        d.label("allocation/list length=" + value);
        return true;
    }

    private boolean packetType(Draft d) {
        PacketType type = switch (random.nextInt(4)) {
            case 0 -> PacketType.DATA_INBAND;
            case 1 -> PacketType.DATA_USING_GPA_DIRECT;
            case 2 -> PacketType.of(random.nextInt(16));
            default -> PacketType.of(random.nextInt(0x10000));
        };
        if (type.equals(PacketType.DATA_USING_GPA_DIRECT) && d.header == null) {
            d.header = SrbTemplates.header(0).putInt(0).putInt(random.nextInt(3)).array();
        }
        d.type = type;
        d.label("packet type " + type);
        return true;
    }

    private boolean payloadSize(Draft d) {
        int size = pick(0, 8, 11, 12, 16, 47, 48, 49, 55, 56, 63, 64, 65, 72, 64 + random.nextInt(256), Math.max(0, d.sendBytes - 1));
        if (size > d.payload.length) {
            int old = d.payload.length;
            d.payload = Arrays.copyOf(d.payload, size);
            for (int i = old; i < size; i++) {
                d.payload[i] = (byte) random.nextInt(256);
            }
        }
        d.sendBytes = size;
        d.label("payload of " + size + " bytes");
        return true;
    }

    /**
     * data_transfer_length and byte_count moved together (the SRB and its buffer agree), to the
     * transfer limit, just past it, or to a length the CDB does not ask for; PFNs repeat the
     * request's pages as needed.
     */
    private boolean consistentLength(Draft d) {
        if (d.header == null || d.header.length < 16 || d.region.length == 0) {
            return false;
        }
        int length = (int) pickLong(1, 511, 512, d.length + 512L, Math.max(1, d.length - 512L),
                ScsiModel.MAX_TRANSFER, ScsiModel.MAX_TRANSFER + 1L, ScsiModel.MAX_TRANSFER + 4096L);
        int offset = d.gpa().getInt(12); // maybe mutated already: PFNs for the offset it would have in a page
        int pages = (Math.clamp(offset, 0, GuestDataArea.PAGE - 1) + length + GuestDataArea.PAGE - 1) / GuestDataArea.PAGE;
        ByteBuffer h = SrbTemplates.header(pages).putInt(0).putInt(1).putInt(length).putInt(offset);
        for (int i = 0; i < pages; i++) {
            h.putLong(area.gpn(d.region[i % d.region.length]));
        }
        d.header = h.array();
        d.vstor().putInt(Draft.TRANSFER_LENGTH, length);
        d.label("buffer and data_transfer_length=" + length);
        return true;
    }

    /** The vstor operation, or its flags and status (which a request's completion does not depend on). */
    private boolean operation(Draft d) {
        if (random.nextBoolean()) {
            d.vstor().putInt(4, random.nextInt()).putInt(8, random.nextInt());
            d.label("vstor flags and status random");
        } else {
            int op = pick(0, 1, 2, 4, 7, 8, 9, 10, 11, 13, 14, random.nextInt());
            d.vstor().putInt(0, op);
            d.label("operation=" + op);
        }
        return true;
    }
}
