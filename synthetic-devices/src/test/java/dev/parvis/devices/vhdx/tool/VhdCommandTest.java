package dev.parvis.devices.vhdx.tool;

import dev.parvis.devices.vhdx.DiskType;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code ./parvis vhd}: each subcommand does its operation and reports failures with exit status 1. */
class VhdCommandTest {
    @TempDir
    Path dir;

    private static int run(String... args) {
        return new CommandLine(new VhdCommand()).execute(args);
    }

    @Test
    void createInspectResizeAndMergeWorkFromTheCommandLine() throws Exception {
        Path base = dir.resolve("base.vhdx");
        Path child = dir.resolve("child.vhdx");
        assertEquals(0, run("create", base.toString(), "--size", "8M", "--block-size", "1M"));
        assertEquals(0, run("create", child.toString(), "--parent", base.toString()));
        assertEquals(0, run("inspect", child.toString()));
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readWrite())) {
            disk.write(0, java.nio.ByteBuffer.wrap(new byte[512]).put(0, (byte) 7));
        }
        assertEquals(0, run("merge", child.toString()));
        assertEquals(0, run("resize", base.toString(), "--size", "16M"));
        try (VhdxDisk disk = VhdxDisk.open(base, OpenOptions.readOnly())) {
            assertEquals(DiskType.DYNAMIC, disk.type());
            assertEquals(16 << 20, disk.size());
            java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(512);
            disk.read(0, first);
            assertEquals(7, first.get(0));
        }
        assertEquals(0, run("create", dir.resolve("fixed.vhdx").toString(), "--size", "2M", "--type", "fixed",
                "--block-size", "1M", "--logical-sector", "4096"));
        try (VhdxDisk disk = VhdxDisk.open(dir.resolve("fixed.vhdx"), OpenOptions.readOnly())) {
            assertEquals(DiskType.FIXED, disk.type());
            assertEquals(4096, disk.logicalSectorSize());
        }
    }

    @Test
    void failuresExitWithStatusOneAndLeaveNoFileBehind() throws Exception {
        Path small = Files.write(dir.resolve("junk.vhdx"), new byte[100]);
        assertEquals(1, run("inspect", small.toString()));
        assertEquals(1, run("inspect", dir.resolve("missing.vhdx").toString()));
        assertEquals(1, run("create", small.toString(), "--size", "8M"), "never replaces a file");
        assertEquals(100, Files.size(small));
        assertEquals(1, run("create", dir.resolve("bad.vhdx").toString(), "--size", "8M", "--block-size", "3M"));
        assertEquals(false, Files.exists(dir.resolve("bad.vhdx")));
        assertEquals(1, run("create", dir.resolve("nosize.vhdx").toString()));
        assertEquals(2, run("create", dir.resolve("x.vhdx").toString(), "--size", "lots"));
    }

    @Test
    void sizesTakeBinaryUnits() {
        ByteSize size = new ByteSize();
        assertEquals(512L, size.convert("512"));
        assertEquals(64L << 10, size.convert("64k"));
        assertEquals(20L << 30, size.convert("20G"));
        assertEquals(2L << 40, size.convert("2T"));
        assertThrows(CommandLine.TypeConversionException.class, () -> size.convert("-1M"));
        assertThrows(CommandLine.TypeConversionException.class, () -> size.convert("99999999999T"));
    }
}
