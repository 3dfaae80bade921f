package dev.parvis.root.vm;

import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.hostfile.ParsedHostFiles;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What every VM worker of one service shares: the hypervisor, the loader, VMBus, the router, the store, the stats pages,
 * the guest images read so far and the threads workers run on.
 */
record VmEnvironment(HypervisorServices hv, RootHypercalls hc, ChildLoader loader, VmbusHost vmbus, RootMessageRouter router,
                     ConfigStore store, MemoryAdmission admission, Path guestsDir, Consumer<VmEvent> events,
                     BooleanSupplier hostStopping, PartitionStatsPages stats, ParsedHostFiles<ElfImage> images,
                     WorkerThreads threads) {

    PartitionControls controls() {
        return new PartitionControls(hc);
    }

    /**
     * The guest image a config names: a path, or a guest name under the guests directory; only a
     * regular file of bounded size ({@link ElfImage#read}), parsed once per version of the file.
     *
     * @throws dev.parvis.root.loader.InvalidImageException naming the file and the problem
     */
    ElfImage image(String image) {
        return ElfImage.read(image.contains("/") || image.endsWith(".elf") ? Path.of(image) : guestsDir.resolve(image + ".elf"), images);
    }
}
