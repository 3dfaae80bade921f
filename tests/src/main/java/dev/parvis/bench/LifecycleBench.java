package dev.parvis.bench;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import dev.parvis.vmcore.RootHypercalls;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code lifecycle}: the median create-to-running time of 50 VMs (16 MiB, counter guest) created
 * and started one after another through the management service, each turned off and deleted after,
 * against the raw {@link ChildLoader#load} of the same image (no config, worker, admission,
 * events or CPU controls); and the host memory a running VM costs beyond its guest RAM, from 20
 * VMs running against none: process RSS (/proc/self/status VmRSS) less the hypervisor pool pages
 * the VMs hold, with the Java heap (after GC) and the direct/mapped buffer pools shown apart.
 * The raw loads and the managed starts are interleaved pair by pair (after a warm-up pair), so the
 * JIT and a neighbour's load on the shared cores land on both alike: run in two blocks, raw first,
 * the raw loads paid the cold start and the ratio came out near 1.0 for that reason alone.
 *
 * <p>Where the memory goes: one libunicorn 2.0.1 engine (one per VP) costs about 2.8 MiB of RSS as
 * soon as it is initialised (uc_open plus its lazy TCG set-up, measured in a bare process through
 * ctypes: 2,862 KiB per engine over 20 engines, 89 KiB more once it has run a few instructions),
 * and 2.0.1 has no control to shrink it (UC_CTL_TCG_BUFFER_INIT is refused with UC_ERR_ARG). That
 * is most of the figure on the unicorn backend; the Java heap and buffers are shown apart.
 */
final class LifecycleBench implements Benchmark {
    private static final int VMS = 50;
    private static final int RESIDENT = 20;
    private static final int WARM_UP = 3;
    private static final long MIB = 16;

    @Override
    public String name() {
        return "lifecycle";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        Path dataDir = Files.createTempDirectory("parvis-bench-lifecycle");
        Path guests = Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests"));
        try (Hypervisor hv = Hypervisor.boot(new HypervisorConfig(1L << 30, backend, HypervisorConfig.DEFAULT_RUN_SLICE));
             VmManagementService service = new VmManagementService(hv, new ConfigStore(dataDir), guests)) {
            Starts starts = new Starts(new RawLoad(hv, guests), service);
            // Interleaved: a raw load, then a managed create-to-running (the default VM: an echo device on
            // VMBus), then one without VMBus devices, so load from neighbours on the shared cores lands on
            // all alike; warm-up rounds first (class loading, JIT).
            for (int i = -WARM_UP; i < VMS; i++) {
                starts.round(i, i >= 0);
            }
            starts.print(out, hv.backend().name());
            memoryPerVm(out, hv, service);
        } finally {
            deleteTree(dataDir);
        }
    }

    /** The create-to-running figures, one round of each kind at a time. */
    private static final class Starts {
        private final RawLoad rawLoad;
        private final VmManagementService service;
        private final Samples raw = new Samples();
        private final Samples managed = new Samples();
        private final Samples bare = new Samples();
        private final Samples ratios = new Samples();
        private final Samples creates = new Samples();

        Starts(RawLoad rawLoad, VmManagementService service) {
            this.rawLoad = rawLoad;
            this.service = service;
        }

        void round(int i, boolean keep) throws Exception {
            double r = rawLoad.milliseconds(i);
            double[] m = createToRunning(VmConfig.create("bench-" + i, "counter").withMemoryMiB(MIB));
            double[] b = createToRunning(VmConfig.create("bare-" + i, "counter").withMemoryMiB(MIB).withDevices(List.of()));
            if (keep) {
                raw.add(r);
                managed.add(m[1]);
                ratios.add(m[1] / r);
                creates.add(m[0]);
                bare.add(b[1]);
            }
        }

        /** {ms to create (config written), ms to Running}; the VM is turned off and deleted after. */
        private double[] createToRunning(VmConfig config) throws Exception {
            long t0 = System.nanoTime();
            UUID id = service.create(config).id();
            double created = (System.nanoTime() - t0) / 1e6;
            expect(VmState.Running.class, service.start(id).get(30, TimeUnit.SECONDS));
            double running = (System.nanoTime() - t0) / 1e6;
            service.turnOff(id).get(30, TimeUnit.SECONDS);
            service.delete(id).get(30, TimeUnit.SECONDS);
            return new double[] {created, running};
        }

        void print(PrintStream out, String backend) {
            out.printf("lifecycle: " + backend + " create-to-running median %.2f ms over %d VMs (%d MiB, counter guest, echo device; config"
                            + " write, admission, load, CPU controls, VMBus attach, events), baseline raw ChildLoader.load median"
                            + " %.2f ms ratio=%.3f%n", managed.median(), VMS, MIB, raw.median(), managed.median() / raw.median());
            out.printf("lifecycle: context: create-to-running min %.2f max %.2f ms; raw load min %.2f max %.2f ms;"
                            + " per-round ratio median %.3f (%.3f-%.3f), rounds interleaved; of create-to-running, create"
                            + " (config file written and fsync'd) median %.2f ms (%.2f-%.2f); the same VM without VMBus"
                            + " devices median %.2f ms (%.2f-%.2f, ratio %.3f to the raw load)%n",
                    managed.min(), managed.max(), raw.min(), raw.max(), ratios.median(), ratios.min(), ratios.max(),
                    creates.median(), creates.min(), creates.max(), bare.median(), bare.min(), bare.max(),
                    bare.median() / raw.median());
        }
    }

    /** The baseline: ChildLoader.load of the same image and RAM, then destroy; no service around it. */
    private static final class RawLoad {
        private final ChildLoader loader;
        private final ElfImage image;

        RawLoad(Hypervisor hv, Path guests) throws IOException {
            loader = new ChildLoader(new RootHypercalls(hv.gateway()), hv.rootMemory());
            image = ElfImage.parse(Files.readAllBytes(guests.resolve("counter.elf")));
        }

        double milliseconds(int i) {
            long t0 = System.nanoTime();
            LoadedChild child = loader.load(new GuestSpec("raw-" + i, image, MIB << 20));
            double ms = (System.nanoTime() - t0) / 1e6;
            loader.destroy(child);
            return ms;
        }
    }

    private static void memoryPerVm(PrintStream out, Hypervisor hv, VmManagementService service) throws Exception {
        Footprint none = Footprint.measure(hv);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < RESIDENT; i++) {
            UUID id = service.create(VmConfig.create("resident-" + i, "counter").withMemoryMiB(MIB)).id();
            expect(VmState.Running.class, service.start(id).get(30, TimeUnit.SECONDS));
            ids.add(id);
        }
        Footprint running = Footprint.measure(hv);
        for (UUID id : ids) {
            service.turnOff(id).get(30, TimeUnit.SECONDS);
            service.delete(id).get(30, TimeUnit.SECONDS);
        }
        long guestBytes = (none.poolFreePages - running.poolFreePages) * 4096;
        double perVmBeyond = (running.rss - none.rss - guestBytes) / (double) RESIDENT / 1024;
        out.printf("lifecycle: " + hv.backend().name() + " host memory per running VM beyond its guest RAM: %.0f KiB (process RSS delta less %d KiB of pool"
                        + " pages per VM, %d VMs vs none); of which Java heap %.0f KiB, direct+mapped buffers %.0f KiB%n",
                perVmBeyond, guestBytes / RESIDENT / 1024, RESIDENT, (running.heap - none.heap) / (double) RESIDENT / 1024,
                (running.buffers - none.buffers) / (double) RESIDENT / 1024);
    }

    private record Footprint(long rss, long heap, long buffers, long poolFreePages) {
        static Footprint measure(Hypervisor hv) throws IOException, InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long buffers = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                buffers += pool.getMemoryUsed();
            }
            return new Footprint(readRss(), heap, buffers, hv.rootMemory().freePages());
        }

        private static long readRss() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return 0;
        }
    }

    private static void expect(Class<? extends VmState> state, VmState actual) {
        if (!state.isInstance(actual)) {
            throw new IllegalStateException("expected " + state.getSimpleName() + ", got " + actual);
        }
    }

    /** Deletes a benchmark's temporary data directory. */
    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
