package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where a parent locator may lead: relative paths inside the allowed directories, nothing else. */
class ParentLocationTest {
    private static final Guid ID = Guid.parse("83ed0ec3-24c8-49a6-a959-5f2f7a4f5e8b");

    @TempDir
    Path dir;

    private Path resolve(String relative, Path... roots) throws Exception {
        return ParentLocation.resolve(dir.resolve("sub").resolve("child.vhdx"), ParentLocator.forParent(ID, relative), List.of(roots));
    }

    @Test
    void relativePathsWithEitherSeparatorResolveAgainstTheChildsDirectory() throws Exception {
        Files.createDirectories(dir.resolve("sub").resolve("base"));
        Path real = dir.toRealPath();
        assertEquals(real.resolve("sub").resolve("base").resolve("p.vhdx"), resolve("base\\p.vhdx"));
        assertEquals(real.resolve("sub").resolve("base").resolve("p.vhdx"), resolve("base/p.vhdx"));
        assertEquals(real.resolve("sub").resolve("p.vhdx"), resolve(".\\p.vhdx"));
        assertEquals(real.resolve("p.vhdx"), resolve("..\\p.vhdx", dir));
    }

    @Test
    void anythingElseIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        for (String bad : new String[]{"C:\\base\\p.vhdx", "\\\\server\\share\\p.vhdx", "\\p.vhdx", "/etc/p.vhdx",
                "base\\\\p.vhdx", "..\\p.vhdx", "..\\..\\..\\..\\..\\..\\..\\..\\..\\..\\..\\.."}) {
            assertThrows(VhdxFormatException.class, () -> resolve(bad), bad);
        }
        ParentLocator windowsOnly = new ParentLocator(ParentLocator.VHDX_LOCATOR_TYPE, Map.of(
                ParentLocator.PARENT_LINKAGE, ParentLocator.braced(ID),
                ParentLocator.ABSOLUTE_WIN32_PATH, "\\\\?\\d:\\p.vhdx"));
        VhdxFormatException e = assertThrows(VhdxFormatException.class,
                () -> ParentLocation.resolve(dir.resolve("sub").resolve("c.vhdx"), windowsOnly, List.of()));
        assertEquals(ParentLocator.RELATIVE_PATH, e.field());
    }

    @Test
    void theChildStoresABackslashPathRelativeToItself() {
        assertEquals("..\\base\\p.vhdx", ParentLocation.relativePath(dir.resolve("kids").resolve("c.vhdx"),
                dir.resolve("base").resolve("p.vhdx")));
        assertEquals("p.vhdx", ParentLocation.relativePath(dir.resolve("c.vhdx"), dir.resolve("p.vhdx")));
    }
}
