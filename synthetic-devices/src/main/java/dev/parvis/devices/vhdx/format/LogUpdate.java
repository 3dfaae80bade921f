package dev.parvis.devices.vhdx.format;

/**
 * One change a log entry carries to its final place in the file: a 4 KiB sector image or a run of
 * zeros. Offsets and lengths are 4 KiB multiples ([MS-VHDX] 2.3.1.2-3).
 */
public sealed interface LogUpdate {
    long fileOffset();

    /** Bytes of the file the update covers. */
    long length();

    /** Write 4096 bytes at {@code fileOffset}; {@code data} is owned by the update and never changed. */
    record Sector(long fileOffset, byte[] data) implements LogUpdate {
        public Sector {
            if (data.length != VhdxLayout.LOG_SECTOR_SIZE) {
                throw new IllegalArgumentException("a logged sector is 4096 bytes, not " + data.length);
            }
        }

        @Override
        public long length() {
            return VhdxLayout.LOG_SECTOR_SIZE;
        }
    }

    /** Write {@code length} zero bytes at {@code fileOffset}. */
    record Zero(long fileOffset, long length) implements LogUpdate {
    }
}
