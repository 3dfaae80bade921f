package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.fuzz.Expectation.Response;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Answer;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Cdb;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Kind;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The fuzz test's oracle for the commands that return parameter data (SPC-4 6.x, SBC-3 5.x): the
 * CDB fields that make them fail, how long their data is, and the bytes of it the standards (and the
 * device's advertised limits) fix. The host returns min(data length, allocation length, buffer) bytes.
 */
final class ScsiResponses {
    /** The VPD pages the device lists in page 0x00, and the length of each. */
    static final int[] VPD_PAGES = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};
    private static final int[] VPD_LENGTHS = {10, 36, 68, 64, 64, 8};
    private static final int CACHING = 0x08;
    private static final int CONTROL = 0x0A;
    private static final int ALL_PAGES = 0x3F;

    private ScsiResponses() {
    }

    /** The errors a CDB's own fields show (each an allowed answer); empty when it is well-formed. */
    static List<Sense> fieldErrors(Kind kind, Cdb c) {
        List<Sense> errors = new ArrayList<>();
        switch (kind) {
            case REQUEST_SENSE -> addIf(errors, (c.u8(1) & 1) != 0, Sense.INVALID_FIELD_IN_CDB); // descriptor format
            case INQUIRY -> addIf(errors, (c.u8(1) & 2) != 0 || (c.u8(1) & 1) == 0 && c.u8(2) != 0
                    || (c.u8(1) & 1) != 0 && vpdIndex(c.u8(2)) < 0, Sense.INVALID_FIELD_IN_CDB);
            case MODE_SENSE_6, MODE_SENSE_10 -> modeSenseErrors(c, errors);
            case SERVICE_ACTION_IN_16 -> {
                if ((c.u8(1) & 0x1F) != 0x10) {
                    errors.add(Sense.INVALID_FIELD_IN_CDB);
                    errors.add(Sense.INVALID_COMMAND_OPERATION_CODE);
                }
            }
            case REPORT_LUNS -> addIf(errors, c.u8(2) > 2 || c.u32(6) < 16, Sense.INVALID_FIELD_IN_CDB);
            case UNMAP -> addIf(errors, (c.u8(1) & 1) != 0, Sense.INVALID_FIELD_IN_CDB); // ANCHOR
            default -> {
            }
        }
        return errors;
    }

    private static void addIf(List<Sense> errors, boolean condition, Sense sense) {
        if (condition) {
            errors.add(sense);
        }
    }

    private static void modeSenseErrors(Cdb c, List<Sense> errors) {
        int pageControl = c.u8(2) >>> 6;
        int page = c.u8(2) & 0x3F;
        int subpage = c.u8(3);
        addIf(errors, pageControl == 3, Sense.SAVING_PARAMETERS_NOT_SUPPORTED);
        addIf(errors, subpage != 0 && !(page == ALL_PAGES && subpage == 0xFF)
                || page != CACHING && page != CONTROL && page != ALL_PAGES, Sense.INVALID_FIELD_IN_CDB);
    }

    static int vpdIndex(int page) {
        for (int i = 0; i < VPD_PAGES.length; i++) {
            if (VPD_PAGES[i] == page) {
                return i;
            }
        }
        return -1;
    }

    /** The one answer of a well-formed data-in command that does not touch the disk. */
    static List<Answer> answers(Kind kind, Cdb c, ShadowDisk unit, List<Integer> luns, long buffer) {
        return switch (kind) {
            case REQUEST_SENSE -> List.of(reply(noSense(), c.u8(4), buffer));
            case INQUIRY -> List.of(reply((c.u8(1) & 1) == 0 ? standardInquiry() : vpd(c.u8(2), unit), c.u16(3), buffer));
            case MODE_SENSE_6, MODE_SENSE_10 -> List.of(reply(ModeSenseData.of(kind == Kind.MODE_SENSE_10, c, unit),
                    kind == Kind.MODE_SENSE_10 ? c.u16(7) : c.u8(4), buffer));
            case READ_CAPACITY_10 -> List.of(reply(readCapacity10(unit), 8, buffer));
            case SERVICE_ACTION_IN_16 -> List.of(reply(readCapacity16(unit), c.u32(10), buffer));
            case REPORT_LUNS -> List.of(reply(reportLuns(luns), c.u32(6), buffer));
            default -> throw new IllegalArgumentException(kind + " is not a data-in command");
        };
    }

    private static Answer reply(Response data, long allocation, long buffer) {
        return new Answer(null, Math.min(data.bytes().length, Math.min(allocation, buffer)), data);
    }

    /** Bytes of a response and which of them are fixed. */
    static final class Builder {
        final byte[] bytes;
        final BitSet known = new BitSet();

        Builder(int length) {
            bytes = new byte[length];
        }

        Builder u8(int at, int value) {
            bytes[at] = (byte) value;
            known.set(at);
            return this;
        }

        Builder u16(int at, int value) {
            return u8(at, value >> 8).u8(at + 1, value);
        }

        Builder u32(int at, long value) {
            return u16(at, (int) (value >> 16)).u16(at + 2, (int) value);
        }

        Builder u64(int at, long value) {
            return u32(at, value >>> 32).u32(at + 4, value);
        }

        Builder ascii(int at, String text) {
            byte[] t = text.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < t.length; i++) {
                u8(at + i, t[i]);
            }
            return this;
        }

        Response build() {
            return new Response(bytes, known);
        }
    }

    /** Fixed-format sense data, NO SENSE (nothing pending: the fuzz test raises no unit attention). */
    private static Response noSense() {
        Builder b = new Builder(18);
        for (int i = 0; i < 18; i++) {
            b.u8(i, 0);
        }
        return b.u8(0, 0x70).u8(7, 10).build();
    }

    /** SPC-4 6.6.2: a direct-access device; "Msft" / "Virtual Disk" as Hyper-V names its disks. */
    private static Response standardInquiry() {
        return new Builder(36).u8(0, 0).u8(4, 31).ascii(8, "Msft    ").ascii(16, "Virtual Disk    ").build();
    }

    /** SPC-4 7.8: the page header; the page list; and the limits of page 0xB0 the other checks rely on. */
    private static Response vpd(int page, ShadowDisk unit) {
        int length = VPD_LENGTHS[vpdIndex(page)];
        Builder b = new Builder(length).u8(0, 0).u8(1, page).u16(2, length - 4);
        if (page == 0x00) {
            for (int i = 0; i < VPD_PAGES.length; i++) {
                b.u8(4 + i, VPD_PAGES[i]);
            }
        } else if (page == 0xB0) {
            b.u32(8, ScsiModel.MAX_TRANSFER / unit.sector).u32(20, UnmapModel.maxUnmapBlocks(unit))
                    .u32(24, UnmapModel.MAX_DESCRIPTORS);
        } else if (page == 0xB1) {
            b.u16(4, 1); // non-rotating medium
        }
        return b.build();
    }

    private static Response readCapacity10(ShadowDisk unit) {
        return new Builder(8).u32(0, Math.min(unit.blocks - 1, 0xFFFFFFFFL)).u32(4, unit.sector).build();
    }

    private static Response readCapacity16(ShadowDisk unit) {
        int exponent = Integer.numberOfTrailingZeros(unit.physicalSector / unit.sector);
        return new Builder(32).u64(0, unit.blocks - 1).u32(8, unit.sector).u8(13, exponent).build();
    }

    /** SPC-4 6.33: the attached LUNs, ascending, single-level (peripheral device addressing). */
    private static Response reportLuns(List<Integer> luns) {
        Builder b = new Builder(8 + 8 * luns.size()).u32(0, 8L * luns.size()).u32(4, 0);
        for (int i = 0; i < luns.size(); i++) {
            b.u16(8 + 8 * i, luns.get(i)).u16(10 + 8 * i, 0).u32(12 + 8 * i, 0);
        }
        return b.build();
    }
}
