package dev.parvis.root.cli;

import dev.parvis.root.config.ConfigLoad;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.VmConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `parvis vm create|list`: define VMs in the data directory and list them as they are at rest (Saved
 * when a saved state exists, else Off); `parvis host` runs them.
 */
@Command(name = "vm", mixinStandardHelpOptions = true, description = "Define and list virtual machines.",
        subcommands = {VmCommand.Create.class, VmCommand.List.class})
final class VmCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static ConfigStore store(Path dataDir) {
        return new ConfigStore(dataDir != null ? dataDir : ConfigStore.defaultDataDirectory());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Define a new VM (New-VM); it starts Off.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the VM was defined", "1:a VM of that name exists, or the data directory cannot be used",
                "2:usage error or an invalid setting"})
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--image", required = true, description = "guest name (under the guests directory) or path to an ELF64 image")
        String image;

        @Option(names = "--memory-mib", defaultValue = "16", description = "startup memory in MiB (default: ${DEFAULT-VALUE})")
        long memoryMiB;

        @Option(names = "--cpus", defaultValue = "1", description = "virtual processors (default: ${DEFAULT-VALUE})")
        int cpus;

        @Option(names = "--data-dir", description = "data directory (default: PARVIS_DATA_DIR, -Dparvis.data.dir or ~/.parvis)")
        Path dataDir;

        @Override
        public Integer call() {
            ConfigStore store = store(dataDir);
            for (ConfigLoad load : store.loadAll()) {
                if (load instanceof ConfigLoad.Loaded l && l.config().name().equals(name)) {
                    System.err.println("parvis vm create: a VM named '" + name + "' already exists (" + l.config().id() + ")");
                    return 1;
                }
            }
            VmConfig config;
            try {
                config = VmConfig.create(name, image).withMemoryMiB(memoryMiB).withVcpuCount(cpus);
            } catch (IllegalArgumentException e) {
                System.err.println("parvis vm create: " + e.getMessage());
                return 2;
            }
            store.save(config);
            System.out.printf("%s  %s  Off  %d MiB  %d vCPU  %s%n", config.id(), config.name(), config.memoryMiB(), config.vcpuCount(),
                    config.image());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the VMs of the data directory (Get-VM).",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:listed (unreadable configurations are listed as such)", "1:the data directory cannot be used",
                "2:usage error"})
    static final class List implements Callable<Integer> {
        @Option(names = "--data-dir", description = "data directory (default: PARVIS_DATA_DIR, -Dparvis.data.dir or ~/.parvis)")
        Path dataDir;

        @Override
        public Integer call() {
            ConfigStore store = store(dataDir);
            java.util.List<ConfigLoad> loads = store.loadAll();
            System.out.printf("%-36s  %-20s  %-6s  %8s  %4s  %s%n", "Id", "Name", "State", "Memory", "CPUs", "Image");
            for (ConfigLoad load : loads) {
                switch (load) {
                    case ConfigLoad.Loaded l -> {
                        VmConfig c = l.config();
                        String state = store.hasSavedState(c.id()) ? "Saved" : "Off";
                        System.out.printf("%-36s  %-20s  %-6s  %5d MiB  %4d  %s%n", c.id(), c.name(), state, c.memoryMiB(), c.vcpuCount(),
                                c.image());
                    }
                    case ConfigLoad.Corrupt bad -> System.out.printf("corrupt: %s (%s)%n", bad.file(), bad.reason());
                    case ConfigLoad.UnknownVersion unknown -> System.out.printf("unknown version %d: %s%n", unknown.version(), unknown.file());
                }
            }
            return 0;
        }
    }
}
