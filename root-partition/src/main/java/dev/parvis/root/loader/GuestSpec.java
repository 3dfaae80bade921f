package dev.parvis.root.loader;

/**
 * What to build a child from.
 *
 * @param name     a label for logs and debug output
 * @param image    the ELF64 image
 * @param ramBytes guest RAM: GPA 0x1000 up to this size, a multiple of 4096
 */
public record GuestSpec(String name, ElfImage image, long ramBytes) {
    public static final long DEFAULT_RAM_BYTES = 4L << 20;

    public GuestSpec {
        if (ramBytes % 4096 != 0 || ramBytes < (1L << 20) + 0x20000 || ramBytes > (1L << 32)) {
            throw new IllegalArgumentException("guest RAM must be a multiple of 4096 between 1.125 MiB and 4 GiB: " + ramBytes);
        }
    }
}
