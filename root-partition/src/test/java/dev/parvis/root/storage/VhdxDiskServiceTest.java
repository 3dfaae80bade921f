package dev.parvis.root.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.root.vm.RequestProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VhdxDiskServiceTest {
    @TempDir
    Path dir;
    private final VhdxDiskService service = new VhdxDiskService();

    @Test
    void createInspectAndGrowADynamicDiskReportingProgress() throws Exception {
        Path file = dir.resolve("d.vhdx");
        List<Integer> progress = new ArrayList<>();
        service.create(new VirtualDiskSettings(file, VirtualDiskSettings.Type.DYNAMIC, 8 << 20, 1 << 20, 512, Optional.empty()),
                progress::add);
        assertEquals(List.of(0, 100), progress);
        VirtualDiskSettings seen = service.inspect(file);
        assertEquals(VirtualDiskSettings.Type.DYNAMIC, seen.type());
        assertEquals(8 << 20, seen.maxInternalSize());
        assertEquals(1 << 20, seen.blockSize());
        service.resize(file, 16 << 20, RequestProgress.NONE);
        assertEquals(16 << 20, service.inspect(file).maxInternalSize());
        assertThrows(IOException.class, () -> service.resize(file, 4 << 20, RequestProgress.NONE), "no shrinking");
    }

    @Test
    void aDifferencingDiskMergesIntoItsParentAndOnlyThere() throws Exception {
        Path parent = dir.resolve("parent.vhdx");
        Path child = dir.resolve("child.vhdx");
        Path other = dir.resolve("other.vhdx");
        service.create(new VirtualDiskSettings(parent, VirtualDiskSettings.Type.DYNAMIC, 4 << 20, 0, 512, Optional.empty()),
                RequestProgress.NONE);
        service.create(new VirtualDiskSettings(other, VirtualDiskSettings.Type.FIXED, 4 << 20, 0, 512, Optional.empty()),
                RequestProgress.NONE);
        service.create(new VirtualDiskSettings(child, VirtualDiskSettings.Type.DIFFERENCING, 0, 0, 512, Optional.of(parent)),
                RequestProgress.NONE);
        VirtualDiskSettings seen = service.inspect(child);
        assertEquals(VirtualDiskSettings.Type.DIFFERENCING, seen.type());
        assertEquals(parent.toRealPath(), seen.parent().orElseThrow().toRealPath());
        try (VhdxDisk d = VhdxDisk.open(child, OpenOptions.readWrite())) {
            d.write(4096, ByteBuffer.wrap(new byte[512]).put(0, (byte) 0x42));
            d.flush();
        }
        assertThrows(IOException.class, () -> service.merge(child, other, RequestProgress.NONE));
        service.merge(child, parent, RequestProgress.NONE);
        try (VhdxDisk p = VhdxDisk.open(parent, OpenOptions.readOnly())) {
            ByteBuffer b = ByteBuffer.allocate(512);
            p.read(4096, b);
            assertEquals(0x42, b.get(0));
        }
        assertThrows(IOException.class, () -> service.merge(parent, parent, RequestProgress.NONE), "a dynamic disk does not merge");
    }
}
