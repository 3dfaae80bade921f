package dev.parvis.root.loader;

/**
 * What to build a child from.
 *
 * @param name     a label for logs and debug output
 * @param image    the ELF64 image
 * @param ramBytes guest RAM: GPA 0x1000 up to this size, a multiple of 4096
 * @param vpCount  virtual processors: VP 0 starts at the image's entry; the others wait until the
 *                 guest starts them (HvCallStartVirtualProcessor)
 */
public record GuestSpec(String name, ElfImage image, long ramBytes, int vpCount) {
    public static final long DEFAULT_RAM_BYTES = 4L << 20;
    public static final int MAX_VPS = 64;

    public GuestSpec {
        if (ramBytes % 4096 != 0 || ramBytes < (1L << 20) + 0x20000 || ramBytes > (1L << 32)) {
            throw new IllegalArgumentException("guest RAM must be a multiple of 4096 between 1.125 MiB and 4 GiB: " + ramBytes);
        }
        if (vpCount < 1 || vpCount > MAX_VPS) {
            throw new IllegalArgumentException("a guest has 1 to " + MAX_VPS + " VPs, not " + vpCount);
        }
    }

    /** One VP. */
    public GuestSpec(String name, ElfImage image, long ramBytes) {
        this(name, image, ramBytes, 1);
    }
}
