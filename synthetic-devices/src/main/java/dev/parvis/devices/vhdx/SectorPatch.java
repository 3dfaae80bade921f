package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.LogUpdate;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Edits to metadata gathered as whole 4 KiB sectors for the log: each touched sector is read once,
 * changed in memory, and reported only if its bytes really changed.
 */
final class SectorPatch {
    private static final int SECTOR = VhdxLayout.LOG_SECTOR_SIZE;

    private final VhdxStorage storage;
    private final Map<Long, byte[]> original = new TreeMap<>();
    private final Map<Long, byte[]> patched = new TreeMap<>();

    SectorPatch(VhdxStorage storage) {
        this.storage = storage;
    }

    /** Changes {@code data.length} bytes at {@code fileOffset} (any alignment). */
    void write(long fileOffset, byte[] data) throws IOException {
        long at = fileOffset;
        int done = 0;
        while (done < data.length) {
            long sector = at - at % SECTOR;
            int inSector = (int) (at - sector);
            int n = Math.min(SECTOR - inSector, data.length - done);
            System.arraycopy(data, done, sector(sector), inSector, n);
            done += n;
            at += n;
        }
    }

    private byte[] sector(long offset) throws IOException {
        byte[] bytes = patched.get(offset);
        if (bytes == null) {
            byte[] read = offset + SECTOR <= storage.size() ? storage.readBytes(offset, SECTOR) : new byte[SECTOR];
            original.put(offset, read);
            bytes = read.clone();
            patched.put(offset, bytes);
        }
        return bytes;
    }

    /** The sectors whose bytes changed, in file order. */
    List<LogUpdate.Sector> updates() {
        List<LogUpdate.Sector> out = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : patched.entrySet()) {
            if (!Arrays.equals(e.getValue(), original.get(e.getKey()))) {
                out.add(new LogUpdate.Sector(e.getKey(), e.getValue().clone()));
            }
        }
        return out;
    }
}
