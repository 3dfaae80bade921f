package dev.parvis.devices.storvsp.scsi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * INQUIRY data of a direct-access block device: standard data (SPC-4 6.6.2) and the VPD pages
 * 0x00, 0x80, 0x83 (SPC-4 7.8), 0xB0, 0xB1, 0xB2 (SBC-3 6.6). Vendor and product are what
 * Hyper-V reports ("Msft", "Virtual Disk").
 */
final class InquiryData {
    static final int[] SUPPORTED_PAGES = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};
    private static final byte DIRECT_ACCESS = 0x00;

    private final BackingDisk disk;
    private final int maxTransferBlocks;
    private final long maxUnmapBlocks;

    InquiryData(BackingDisk disk, int maxTransferBytes, long maxUnmapBlocks) {
        this.disk = disk;
        this.maxTransferBlocks = maxTransferBytes / disk.logicalSectorSize();
        this.maxUnmapBlocks = maxUnmapBlocks;
    }

    byte[] standard() {
        ByteBuffer b = ByteBuffer.allocate(36);
        b.put(DIRECT_ACCESS).put((byte) 0).put((byte) 0x06) // SPC-4
                .put((byte) 0x12) // HISUP, response data format 2
                .put((byte) (36 - 5)).put((byte) 0).put((byte) 0).put((byte) 0x02); // CMDQUE
        b.put(ascii("Msft", 8)).put(ascii("Virtual Disk", 16)).put(ascii("1.0", 4));
        return b.array();
    }

    /** A VPD page, or null when the device does not have it. */
    byte[] vpd(int page) {
        return switch (page) {
            case 0x00 -> page(0x00, supportedPages());
            case 0x80 -> page(0x80, ascii(serial(), 32));
            case 0x83 -> page(0x83, identification());
            case 0xB0 -> page(0xB0, blockLimits());
            case 0xB1 -> page(0xB1, blockCharacteristics());
            case 0xB2 -> page(0xB2, provisioning());
            default -> null;
        };
    }

    private static byte[] supportedPages() {
        byte[] list = new byte[SUPPORTED_PAGES.length];
        for (int i = 0; i < list.length; i++) {
            list[i] = (byte) SUPPORTED_PAGES[i];
        }
        return list;
    }

    private String serial() {
        return HexFormat.of().formatHex(disk.identity().toBytes());
    }

    /** Two designators: T10 vendor id "MSFT" + serial (ASCII), and an NAA IEEE Registered Extended id from the disk identity. */
    private byte[] identification() {
        byte[] vendorId = ascii("MSFT    " + serial(), 8 + 32);
        byte[] naa = disk.identity().toBytes();
        naa[0] = (byte) (0x60 | naa[0] & 0x0F);
        ByteBuffer b = ByteBuffer.allocate(4 + vendorId.length + 4 + naa.length);
        b.put((byte) 0x02).put((byte) 0x01).put((byte) 0).put((byte) vendorId.length).put(vendorId);
        b.put((byte) 0x01).put((byte) 0x03).put((byte) 0).put((byte) naa.length).put(naa);
        return b.array();
    }

    private byte[] blockLimits() {
        ByteBuffer b = ByteBuffer.allocate(0x3C);
        int physicalPerLogical = Math.max(1, disk.physicalSectorSize() / disk.logicalSectorSize());
        b.put(0, (byte) 0); // WSNZ 0
        b.putShort(2, (short) physicalPerLogical); // optimal transfer length granularity
        b.putInt(4, maxTransferBlocks);
        b.putInt(8, maxTransferBlocks); // optimal transfer length
        b.putInt(16, (int) maxUnmapBlocks); // maximum unmap LBA count
        b.putInt(20, LogicalUnit.MAX_UNMAP_DESCRIPTORS);
        b.putInt(24, physicalPerLogical); // optimal unmap granularity
        return b.array();
    }

    private static byte[] blockCharacteristics() {
        ByteBuffer b = ByteBuffer.allocate(0x3C);
        b.putShort(0, (short) 1); // medium rotation rate: non-rotating medium
        return b.array();
    }

    private static byte[] provisioning() {
        byte[] b = new byte[4];
        b[1] = (byte) 0x84; // LBPU (UNMAP supported), LBPRZ (unmapped blocks read zero)
        b[2] = 0x02; // provisioning type: thin
        return b;
    }

    private static byte[] page(int code, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put(DIRECT_ACCESS).put((byte) code).putShort((short) body.length).put(body);
        return b.array();
    }

    private static byte[] ascii(String text, int width) {
        byte[] out = new byte[width];
        java.util.Arrays.fill(out, (byte) ' ');
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, out, 0, Math.min(t.length, width));
        return out;
    }
}
