package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Kind;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Well-formed EXECUTE_SRBs as Linux's storvsc sends them (the SRB as {@code StorVsc.srb} fills it,
 * one GPA-direct range for the data): reads and writes of every size up to the transfer limit, the
 * inquiry, capacity, mode, LUN and sense commands, cache flushes and UNMAP. Buffers start at any
 * byte of a page, on pages in order (contiguous) or scattered over the request's own pages.
 */
final class SrbTemplates {
    private static final Kind[] KINDS = {Kind.READ_10, Kind.READ_10, Kind.READ_16, Kind.WRITE_10, Kind.WRITE_10,
        Kind.WRITE_16, Kind.INQUIRY, Kind.READ_CAPACITY_10, Kind.SERVICE_ACTION_IN_16, Kind.MODE_SENSE_6,
        Kind.MODE_SENSE_10, Kind.REPORT_LUNS, Kind.TEST_UNIT_READY, Kind.SYNCHRONIZE_CACHE_10,
        Kind.SYNCHRONIZE_CACHE_16, Kind.UNMAP, Kind.REQUEST_SENSE, Kind.UNKNOWN};
    private static final int[] MISSING_LUNS = {3, 7, 63, 200, 254, 255};

    private final Random random;
    private final GuestDataArea area;
    private final Map<Integer, ShadowDisk> luns;

    SrbTemplates(Random random, GuestDataArea area, Map<Integer, ShadowDisk> luns) {
        this.random = random;
        this.area = area;
        this.luns = luns;
    }

    /** A well-formed request at protocol {@code version} (its SRB size and sense size). */
    Draft next(int version) {
        return next(version, KINDS[random.nextInt(KINDS.length)]);
    }

    /** A well-formed request of {@code kind}. */
    Draft next(int version, Kind kind) {
        Draft d = new Draft();
        d.kind = kind;
        int lun = pickLun();
        d.unit = luns.get(lun);
        ShadowDisk geometry = d.unit != null ? d.unit : luns.get(0);
        byte[] cdb = cdb(d, geometry);
        int dataIn = d.length == 0 ? ScsiRequest.DATA_UNKNOWN : d.kind.dataIn ? ScsiRequest.DATA_IN : ScsiRequest.DATA_OUT;
        d.cdbLength = cdb.length;
        new ScsiRequest(StorVspModel.requestSize(version), 0, 0, 0, 0, 0, lun, cdb.length, StorVspModel.senseSize(version),
                dataIn, 0, d.length, cdb, 0, 0, dataIn == ScsiRequest.DATA_IN ? 0x40 : dataIn == ScsiRequest.DATA_OUT ? 0x80 : 0,
                60, 0).write(java.lang.foreign.MemorySegment.ofArray(d.payload).asSlice(Draft.SRB));
        d.vstor().putInt(0, StorVspModel.EXECUTE_SRB).putInt(4, 1);
        d.sendBytes = StorVspModel.packetSize(version);
        d.label(d.kind + " LUN " + lun + (d.length > 0 ? " " + d.length + " bytes" : ""));
        if (d.length > 0 && !buffer(d, cdb, geometry)) {
            return next(version); // the batch has no room left for this buffer: another request
        }
        return d;
    }

    private int pickLun() {
        int r = random.nextInt(100);
        List<Integer> attached = luns.keySet().stream().sorted().toList();
        if (r < 5) {
            return MISSING_LUNS[random.nextInt(MISSING_LUNS.length)];
        }
        return r < 65 ? attached.getFirst() : attached.get(random.nextInt(attached.size()));
    }

    /** The CDB; sets the draft's LBA, block count and buffer length. */
    private byte[] cdb(Draft d, ShadowDisk g) {
        return switch (d.kind) {
            case READ_10, WRITE_10, READ_16, WRITE_16 -> transfer(d, g);
            case INQUIRY -> inquiry(d);
            case READ_CAPACITY_10 -> fixed(d, 8, new byte[] {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            case SERVICE_ACTION_IN_16 -> fixed(d, 32, ByteBuffer.allocate(16).put((byte) 0x9E).put((byte) 0x10).putLong(0)
                    .putInt(32).putShort((short) 0).array());
            case MODE_SENSE_6, MODE_SENSE_10 -> modeSense(d);
            case REPORT_LUNS -> fixed(d, 256, ByteBuffer.allocate(12).put((byte) 0xA0).put(new byte[5]).putInt(256)
                    .putShort((short) 0).array());
            case TEST_UNIT_READY -> new byte[6];
            case SYNCHRONIZE_CACHE_10 -> synchronize(d, g, 10);
            case SYNCHRONIZE_CACHE_16 -> synchronize(d, g, 16);
            case UNMAP -> UnmapLists.cdb(d, random.nextInt(20) == 0 ? 250 + random.nextInt(20) : random.nextInt(3) + 1);
            case REQUEST_SENSE -> fixed(d, 18 + random.nextInt(2) * 234, new byte[] {0x03, 0, 0, 0, (byte) 252, 0});
            case UNKNOWN -> unknown();
        };
    }

    private static byte[] fixed(Draft d, int length, byte[] cdb) {
        d.length = length;
        return cdb;
    }

    private byte[] transfer(Draft d, ShadowDisk g) {
        int maxBlocks = ScsiModel.MAX_TRANSFER / g.sector;
        int r = random.nextInt(100);
        long blocks = r < 60 ? 1 + random.nextInt(Math.min(8, maxBlocks)) : r < 95 ? 1 + random.nextInt(Math.min(128, maxBlocks))
                : 1 + random.nextInt(maxBlocks);
        blocks = Math.min(blocks, g.blocks);
        d.lba = (long) (random.nextDouble() * (g.blocks - blocks + 1));
        d.blocks = blocks;
        d.length = (int) (blocks * g.sector);
        boolean sixteen = d.kind == Kind.READ_16 || d.kind == Kind.WRITE_16;
        ByteBuffer c = ByteBuffer.allocate(sixteen ? 16 : 10).put((byte) d.kind.opcode);
        c.put((byte) (random.nextInt(10) == 0 ? 0x08 : 0)); // FUA now and then
        if (sixteen) {
            c.putLong(d.lba).putInt((int) blocks);
        } else {
            c.putInt((int) d.lba).put((byte) 0).putShort((short) blocks);
        }
        return c.array();
    }

    private byte[] inquiry(Draft d) {
        boolean vpd = random.nextBoolean();
        int page = vpd ? ScsiResponses.VPD_PAGES[random.nextInt(ScsiResponses.VPD_PAGES.length)] : 0;
        int allocation = new int[] {36, 96, 255, 512}[random.nextInt(4)];
        d.length = allocation;
        return new byte[] {0x12, (byte) (vpd ? 1 : 0), (byte) page, (byte) (allocation >> 8), (byte) allocation, 0};
    }

    private byte[] modeSense(Draft d) {
        int page = new int[] {0x08, 0x0A, 0x3F}[random.nextInt(3)] | random.nextInt(3) << 6;
        int dbd = random.nextBoolean() ? 0x08 : 0;
        d.length = 255;
        return d.kind == Kind.MODE_SENSE_6 ? new byte[] {0x1A, (byte) dbd, (byte) page, 0, (byte) 255, 0}
                : new byte[] {0x5A, (byte) dbd, (byte) page, 0, 0, 0, 0, 0, (byte) 255, 0};
    }

    private byte[] synchronize(Draft d, ShadowDisk g, int size) {
        boolean whole = random.nextBoolean();
        d.blocks = whole ? 0 : 1 + random.nextInt((int) Math.min(1024, g.blocks));
        d.lba = whole ? 0 : random.nextLong(g.blocks - d.blocks + 1);
        ByteBuffer c = ByteBuffer.allocate(size).put((byte) (size == 10 ? 0x35 : 0x91)).put((byte) 0);
        if (size == 10) {
            c.putInt((int) d.lba).put((byte) 0).putShort((short) d.blocks);
        } else {
            c.putLong(d.lba).putInt((int) d.blocks);
        }
        return c.array();
    }

    /** An opcode the device does not implement, with its group's CDB length. */
    private byte[] unknown() {
        int opcode;
        do {
            opcode = random.nextInt(256);
        } while (Kind.of(opcode) != Kind.UNKNOWN);
        int group = opcode >>> 5;
        byte[] cdb = new byte[group == 0 ? 6 : group <= 2 ? 10 : group == 4 ? 16 : 12];
        cdb[0] = (byte) opcode;
        return cdb;
    }

    /**
     * Places the request's buffer in pages of its own: the data a write sends (or the UNMAP list) is
     * put there first. False when the batch has no room for it.
     */
    private boolean buffer(Draft d, byte[] cdb, ShadowDisk g) {
        int offset = switch (random.nextInt(10)) {
            case 0, 1 -> random.nextInt(GuestDataArea.PAGE);
            case 2 -> 512 * random.nextInt(8);
            default -> 0;
        };
        int pages = (offset + d.length + GuestDataArea.PAGE - 1) / GuestDataArea.PAGE;
        boolean spread = random.nextInt(5) == 0;
        int first = area.claim(pages * (spread ? 2 : 1) + 2);
        if (first < 0) {
            return false;
        }
        d.region = new int[pages * (spread ? 2 : 1) + 2];
        for (int i = 0; i < d.region.length; i++) {
            d.region[i] = first + i;
        }
        int[] used = BufferLayouts.choose(random, d.region, pages, spread);
        d.header = BufferLayouts.header(area, used, offset, d.length);
        d.type = PacketType.DATA_USING_GPA_DIRECT;
        if (!d.kind.dataIn) {
            GuestRange range = new GuestRange(used, offset, d.length);
            area.put(range, d.kind == Kind.UNMAP ? UnmapLists.list(random, d, g) : randomBytes(d.length));
        }
        if (offset != 0 || spread) {
            d.label((spread ? "scattered" : "contiguous") + " at byte " + offset);
        }
        return true;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A GPA-direct header of one range in little-endian. */
    static ByteBuffer header(int pfns) {
        return ByteBuffer.allocate(16 + 8 * pfns).order(ByteOrder.LITTLE_ENDIAN);
    }
}
