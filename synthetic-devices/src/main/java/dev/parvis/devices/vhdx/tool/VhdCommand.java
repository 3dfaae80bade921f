package dev.parvis.devices.vhdx.tool;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.devices.vhdx.VhdxMerge;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./parvis vhd create|inspect|resize|merge}: VHDX files from the command line. */
@Command(name = "vhd", mixinStandardHelpOptions = true, description = "Create, inspect, resize and merge VHDX virtual disks.",
        subcommands = {VhdCommand.Create.class, VhdCommand.Inspect.class, VhdCommand.Resize.class, VhdCommand.Merge.class})
public final class VhdCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new VhdCommand()).execute(args));
    }

    /** Options every subcommand that opens a chain shares. */
    static final class Roots {
        @Option(names = "--parent-root", paramLabel = "DIR",
                description = "directory a differencing disk's parent may be in (repeatable; default: the child's directory)")
        List<Path> roots = List.of();

        OpenOptions options(boolean writable) {
            return OpenOptions.readOnly().withWritable(writable).withParentRoots(roots.toArray(Path[]::new));
        }
    }

    /** Runs an operation, turning refusals and I/O errors into a message and exit status 1. */
    interface Operation {
        void run() throws IOException;
    }

    static int attempt(String what, Operation operation) {
        try {
            operation.run();
            return 0;
        } catch (FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            System.err.println("parvis vhd " + what + ": " + e.getFile() + ": " + reason);
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("parvis vhd " + what + ": " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a fixed or dynamic disk (--size) or a differencing disk (--parent).")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        Path path;

        @Option(names = "--size", converter = ByteSize.class, description = "virtual size, e.g. 64M, 20G")
        Long size;

        @Option(names = "--type", defaultValue = "dynamic", description = "dynamic or fixed (default: ${DEFAULT-VALUE})")
        String type;

        @Option(names = "--parent", paramLabel = "PARENT", description = "create a differencing disk over PARENT")
        Path parent;

        @Option(names = "--block-size", converter = ByteSize.class, defaultValue = "0",
                description = "block size, 1M..256M (default: 32M, 2M for differencing)")
        long blockSize;

        @Option(names = "--logical-sector", defaultValue = "512", description = "512 or 4096 (default: ${DEFAULT-VALUE})")
        int logicalSector;

        @Option(names = "--physical-sector", defaultValue = "4096", description = "512 or 4096 (default: ${DEFAULT-VALUE})")
        int physicalSector;

        @CommandLine.Mixin
        Roots roots = new Roots();

        @Override
        public Integer call() {
            return attempt("create", () -> {
                CreateRequest request = request().withBlockSize(blockSize);
                VhdxCreator.create(path, request, roots.options(false));
                try (VhdxDisk disk = VhdxDisk.open(path, roots.options(false))) {
                    System.out.print(disk.inspect().describe());
                }
            });
        }

        private CreateRequest request() {
            if (parent != null) {
                return CreateRequest.differencing(parent);
            }
            if (size == null) {
                throw new IllegalArgumentException("--size is required unless --parent is given");
            }
            CreateRequest base = switch (type) {
                case "dynamic" -> CreateRequest.dynamic(size);
                case "fixed" -> CreateRequest.fixed(size);
                default -> throw new IllegalArgumentException("--type must be dynamic or fixed, not " + type);
            };
            return base.withSectorSizes(logicalSector, physicalSector);
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Describe a disk (read-only; a dirty log is replayed in memory, the file is not changed).")
    static final class Inspect implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        Path path;

        @CommandLine.Mixin
        Roots roots = new Roots();

        @Override
        public Integer call() {
            return attempt("inspect", () -> {
                try (VhdxDisk disk = VhdxDisk.open(path, roots.options(false))) {
                    System.out.print(disk.inspect().describe());
                }
            });
        }
    }

    @Command(name = "resize", mixinStandardHelpOptions = true, description = "Grow a disk to a new virtual size.")
    static final class Resize implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        Path path;

        @Option(names = "--size", required = true, converter = ByteSize.class, description = "new virtual size")
        long size;

        @CommandLine.Mixin
        Roots roots = new Roots();

        @Override
        public Integer call() {
            return attempt("resize", () -> {
                try (VhdxDisk disk = VhdxDisk.open(path, roots.options(true))) {
                    disk.resize(size);
                    System.out.println(path + ": " + disk.size() + " bytes");
                }
            });
        }
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = "Merge a differencing disk into its parent; the child stays valid and can be deleted.")
    static final class Merge implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CHILD")
        Path child;

        @CommandLine.Mixin
        Roots roots = new Roots();

        @Override
        public Integer call() {
            return attempt("merge", () -> {
                Path parent = VhdxMerge.mergeIntoParent(child, roots.options(true));
                try (VhdxDisk disk = VhdxDisk.open(parent, roots.options(false))) {
                    System.out.println("merged " + child + " into " + parent + " (" + disk.type().name().toLowerCase()
                            + ", " + disk.size() + " bytes)");
                }
            });
        }
    }
}
