package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.fuzz.Expectation.Response;
import dev.parvis.devices.storvsp.fuzz.ScsiModel.Cdb;

/**
 * The fuzz test's oracle for MODE SENSE (6) and (10) data (SPC-4 7.5): the mode parameter header
 * (write protection, DPOFUA), one short block descriptor unless DBD, and the caching page (write
 * cache enabled, so every write's durability waits for SYNCHRONIZE CACHE or FUA) and control page.
 */
final class ModeSenseData {
    private static final int CACHING = 0x08;
    private static final int CONTROL = 0x0A;
    private static final int ALL_PAGES = 0x3F;
    private static final int CACHING_LENGTH = 20;
    private static final int CONTROL_LENGTH = 12;

    private ModeSenseData() {
    }

    static Response of(boolean tenByte, Cdb c, ShadowDisk unit) {
        boolean descriptor = (c.u8(1) & 0x08) == 0;
        int pageControl = c.u8(2) >>> 6;
        int page = c.u8(2) & 0x3F;
        boolean caching = page == CACHING || page == ALL_PAGES;
        boolean control = page == CONTROL || page == ALL_PAGES;
        int header = tenByte ? 8 : 4;
        int descriptorLength = descriptor ? 8 : 0;
        int length = header + descriptorLength + (caching ? CACHING_LENGTH : 0) + (control ? CONTROL_LENGTH : 0);
        int deviceSpecific = (unit.readOnly ? 0x80 : 0) | 0x10;
        ScsiResponses.Builder b = new ScsiResponses.Builder(length);
        if (tenByte) {
            b.u16(0, length - 2).u8(2, 0).u8(3, deviceSpecific).u16(6, descriptorLength);
        } else {
            b.u8(0, length - 1).u8(1, 0).u8(2, deviceSpecific).u8(3, descriptorLength);
        }
        if (descriptor) {
            b.u32(header, Math.min(unit.blocks, 0xFFFFFFFFL)).u8(header + 4, 0).u8(header + 5, unit.sector >> 16)
                    .u16(header + 6, unit.sector);
        }
        int at = header + descriptorLength;
        if (caching) {
            b.u8(at, CACHING).u8(at + 1, CACHING_LENGTH - 2).u8(at + 2, pageControl == 1 ? 0 : 0x04); // WCE
            at += CACHING_LENGTH;
        }
        if (control) {
            b.u8(at, CONTROL).u8(at + 1, CONTROL_LENGTH - 2);
        }
        return b.build();
    }
}
