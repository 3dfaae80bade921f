package dev.parvis.devices.storvsp.fuzz;

/**
 * One GPA-direct range as the host must see it, in pages of the fuzz test's data area: byte {@code i}
 * of the range is at {@code offset + i} of the run of {@code pages} (a page may repeat: a later
 * byte of the range overwrites an earlier one, as the host copies in order).
 */
record GuestRange(int[] pages, int offset, int byteCount) {

    /** Where byte {@code i} of the range lies in the data area. */
    long areaOffset(long i) {
        long at = offset + i;
        return (long) pages[(int) (at / GuestDataArea.PAGE)] * GuestDataArea.PAGE + at % GuestDataArea.PAGE;
    }

    /** The first {@code count} bytes of the range in {@code area} (the data area's bytes). */
    byte[] gather(byte[] area, int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = area[(int) areaOffset(i)];
        }
        return out;
    }

    /** Writes {@code data} into the range's first bytes of {@code area}, in order. */
    void scatter(byte[] area, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            area[(int) areaOffset(i)] = data[i];
        }
    }

    /** The data-area pages whose bytes the range covers. */
    java.util.stream.IntStream coveredPages() {
        int last = (offset + byteCount - 1) / GuestDataArea.PAGE;
        return java.util.stream.IntStream.rangeClosed(0, Math.max(0, last)).map(p -> pages[p]).distinct();
    }
}
