package dev.parvis.devices.storvsp.scsi;

import java.io.ByteArrayOutputStream;

/**
 * MODE SENSE data (SPC-4 7.5, SBC-3 6.5): the mode parameter header, one short block descriptor
 * unless DBD, and the caching (0x08, write cache enabled) and control (0x0A) pages. No page is
 * changeable and none can be saved.
 */
final class ModePages {
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int ALL = 0x3F;
    private static final int PC_CHANGEABLE = 1;
    private static final int PC_SAVED = 3;

    private ModePages() {
    }

    /** Why {@code command} is refused, or null when {@link #build} answers it. */
    static Sense refusal(ScsiCommand.ModeSense command) {
        if (command.pageControl() == PC_SAVED) {
            return Sense.SAVING_PARAMETERS_NOT_SUPPORTED;
        }
        boolean allSubpages = command.pageCode() == ALL && command.subpageCode() == 0xFF;
        if (command.subpageCode() != 0 && !allSubpages) {
            return Sense.INVALID_FIELD_IN_CDB;
        }
        return switch (command.pageCode()) {
            case CACHING, CONTROL, ALL -> null;
            default -> Sense.INVALID_FIELD_IN_CDB;
        };
    }

    /** The mode data for a command {@link #refusal} accepts. */
    static byte[] build(ScsiCommand.ModeSense command, BackingDisk disk) {
        ByteArrayOutputStream pages = new ByteArrayOutputStream();
        boolean changeable = command.pageControl() == PC_CHANGEABLE;
        if (command.pageCode() == CACHING || command.pageCode() == ALL) {
            pages.writeBytes(caching(changeable));
        }
        if (command.pageCode() == CONTROL || command.pageCode() == ALL) {
            pages.writeBytes(control(changeable));
        }
        byte[] descriptor = command.disableBlockDescriptors() ? new byte[0] : blockDescriptor(disk);
        return command.tenByte() ? header10(descriptor, pages.toByteArray(), disk) : header6(descriptor, pages.toByteArray(), disk);
    }

    private static byte deviceSpecific(BackingDisk disk) {
        return (byte) ((disk.readOnly() ? 0x80 : 0) | 0x10); // WP, DPOFUA
    }

    private static byte[] header6(byte[] descriptor, byte[] pages, BackingDisk disk) {
        byte[] out = new byte[4 + descriptor.length + pages.length];
        out[0] = (byte) (out.length - 1);
        out[2] = deviceSpecific(disk);
        out[3] = (byte) descriptor.length;
        System.arraycopy(descriptor, 0, out, 4, descriptor.length);
        System.arraycopy(pages, 0, out, 4 + descriptor.length, pages.length);
        return out;
    }

    private static byte[] header10(byte[] descriptor, byte[] pages, BackingDisk disk) {
        byte[] out = new byte[8 + descriptor.length + pages.length];
        out[0] = (byte) ((out.length - 2) >> 8);
        out[1] = (byte) (out.length - 2);
        out[3] = deviceSpecific(disk);
        out[7] = (byte) descriptor.length;
        System.arraycopy(descriptor, 0, out, 8, descriptor.length);
        System.arraycopy(pages, 0, out, 8 + descriptor.length, pages.length);
        return out;
    }

    private static byte[] blockDescriptor(BackingDisk disk) {
        long blocks = Math.min(disk.sizeBytes() / disk.logicalSectorSize(), 0xFFFFFFFFL);
        int size = disk.logicalSectorSize();
        return new byte[] {(byte) (blocks >> 24), (byte) (blocks >> 16), (byte) (blocks >> 8), (byte) blocks,
            0, (byte) (size >> 16), (byte) (size >> 8), (byte) size};
    }

    private static byte[] caching(boolean changeable) {
        byte[] page = new byte[2 + 0x12];
        page[0] = CACHING;
        page[1] = 0x12;
        page[2] = (byte) (changeable ? 0 : 0x04); // WCE: writes complete before they are durable
        return page;
    }

    private static byte[] control(boolean changeable) {
        byte[] page = new byte[2 + 0x0A];
        page[0] = CONTROL;
        page[1] = 0x0A;
        page[3] = (byte) (changeable ? 0 : 0x10); // QUEUE ALGORITHM MODIFIER 1: unrestricted reordering
        return page;
    }
}
