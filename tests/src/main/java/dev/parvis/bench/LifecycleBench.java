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
import dev.parvis.root.vm.VmRequest;
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
 * events or CPU controls), with the median of each phase from the worker's progress reports
 * ({@link StartPhases}); and the host memory a running VM costs beyond its guest RAM, from 20 VMs
 * running against none: process RSS less what of the hypervisor's page pool is resident (mincore),
 * split into the partition itself (20 raw loads: the kernel's partition and VP with its engine) and
 * the root stack on top (the rest), with the Java heap and the direct/mapped buffers shown apart.
 * The raw loads and the managed starts are interleaved pair by pair (after a warm-up pair), so the
 * JIT and a neighbour's load on the shared cores land on both alike: run in two blocks, raw first,
 * the raw loads paid the cold start and the ratio came out near 1.0 for that reason alone.
 *
 * <p>Where the memory goes: one libunicorn 2.0.1 engine (one per VP) costs about 2.8 MiB of RSS as
 * soon as it is initialised (uc_open plus its lazy TCG set-up, measured in a bare process through
 * ctypes: 2,862 KiB per engine over 20 engines, 89 KiB more once it has run a few instructions),
 * and 2.0.1 has no control to shrink it (UC_CTL_TCG_BUFFER_INIT is refused with UC_ERR_ARG). That
 * is the "partition itself" figure on the unicorn backend; a KVM VP costs the host a few pages.
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
            RawLoad rawLoad = new RawLoad(hv, guests);
            Starts starts = new Starts(rawLoad, service);
            // Interleaved: a raw load, then a managed create-to-running (the default VM: an echo device on
            // VMBus), then one without VMBus devices, so load from neighbours on the shared cores lands on
            // all alike; warm-up rounds first (class loading, JIT).
            for (int i = -WARM_UP; i < VMS; i++) {
                starts.round(i, i >= 0);
            }
            starts.print(out, hv.backend().name());
            memoryPerVm(out, hv, service, rawLoad);
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
        private final StartPhases phases = new StartPhases();

        Starts(RawLoad rawLoad, VmManagementService service) {
            this.rawLoad = rawLoad;
            this.service = service;
        }

        void round(int i, boolean keep) throws Exception {
            double r = rawLoad.milliseconds(i);
            StartPhases.Clock clock = new StartPhases.Clock();
            double[] m = createToRunning(VmConfig.create("bench-" + i, "counter").withMemoryMiB(MIB), clock);
            double[] b = createToRunning(VmConfig.create("bare-" + i, "counter").withMemoryMiB(MIB).withDevices(List.of()),
                    new StartPhases.Clock());
            if (keep) {
                phases.add(clock);
                raw.add(r);
                managed.add(m[1]);
                ratios.add(m[1] / r);
                creates.add(m[0]);
                bare.add(b[1]);
            }
        }

        /** {ms to create (config written), ms to Running}; the VM is turned off and deleted after. */
        private double[] createToRunning(VmConfig config, StartPhases.Clock clock) throws Exception {
            long t0 = System.nanoTime();
            UUID id = service.create(config).id();
            clock.created();
            double created = (System.nanoTime() - t0) / 1e6;
            expect(VmState.Running.class, service.request(id, new VmRequest.Start(), clock).get(30, TimeUnit.SECONDS));
            clock.running();
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
            phases.print(out, backend);
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

        LoadedChild loadRunning(String name) {
            return loader.load(new GuestSpec(name, image, MIB << 20));
        }

        void destroy(LoadedChild child) {
            loader.destroy(child);
        }

        double milliseconds(int i) {
            long t0 = System.nanoTime();
            LoadedChild child = loader.load(new GuestSpec("raw-" + i, image, MIB << 20));
            double ms = (System.nanoTime() - t0) / 1e6;
            loader.destroy(child);
            return ms;
        }
    }

    /**
     * RSS beyond the guests' resident RAM, per VM: 20 raw partitions (ChildLoader.load: the kernel's
     * partition and VP with its engine, no root stack) against none, then 20 managed VMs against none.
     * The pool's own mapping is subtracted by what of it is resident, so guest RAM a guest never
     * touched (not committed) is not counted as ours either way.
     */
    private static void memoryPerVm(PrintStream out, Hypervisor hv, VmManagementService service, RawLoad rawLoad) throws Exception {
        // Two passes, the second reported: the first grows what the process keeps once grown (heap
        // committed, malloc arenas, code cache), which would land on whichever batch ran first.
        double raw = 0;
        double managed = 0;
        Footprint[] m = null;
        for (int pass = 0; pass < 2; pass++) {
            raw = rawFootprint(hv, rawLoad);
            m = managedFootprint(hv, service);
            managed = m[1].beyondGuestRam(m[0]) / RESIDENT / 1024;
        }
        out.printf("lifecycle: %s host memory per running VM beyond its guest RAM: %.0f KiB (process RSS delta less the resident"
                        + " guest RAM, %d VMs vs none); of which the partition itself (kernel partition + VP + engine, as a raw"
                        + " ChildLoader.load) %.0f KiB, the root stack (worker, VMBus, devices, events) %.0f KiB; Java heap %.0f KiB,"
                        + " direct+mapped buffers %.0f KiB; guest RAM resident %.0f of %d KiB%n",
                hv.backend().name(), managed, RESIDENT, raw, managed - raw,
                (m[1].heap - m[0].heap) / (double) RESIDENT / 1024, (m[1].buffers - m[0].buffers) / (double) RESIDENT / 1024,
                (m[1].poolRss - m[0].poolRss) / (double) RESIDENT / 1024, MIB << 10);
    }

    /** KiB per partition beyond its resident RAM, of {@link #RESIDENT} raw loads running against none. */
    private static double rawFootprint(Hypervisor hv, RawLoad rawLoad) throws Exception {
        Footprint none = Footprint.measure(hv);
        List<LoadedChild> raws = new ArrayList<>();
        for (int i = 0; i < RESIDENT; i++) {
            raws.add(rawLoad.loadRunning("resident-raw-" + i));
        }
        Thread.sleep(200); // each engine runs its guest (the lazy parts of its set-up happen on the first run)
        Footprint running = Footprint.measure(hv);
        raws.forEach(rawLoad::destroy);
        return running.beyondGuestRam(none) / RESIDENT / 1024;
    }

    /** {none, running} around {@link #RESIDENT} managed VMs, turned off and deleted after. */
    private static Footprint[] managedFootprint(Hypervisor hv, VmManagementService service) throws Exception {
        Footprint none = Footprint.measure(hv);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < RESIDENT; i++) {
            UUID id = service.create(VmConfig.create("resident-" + i, "counter").withMemoryMiB(MIB)).id();
            expect(VmState.Running.class, service.start(id).get(30, TimeUnit.SECONDS));
            ids.add(id);
        }
        Thread.sleep(200);
        Footprint running = Footprint.measure(hv);
        for (UUID id : ids) {
            service.turnOff(id).get(30, TimeUnit.SECONDS);
            service.delete(id).get(30, TimeUnit.SECONDS);
        }
        return new Footprint[] {none, running};
    }

    /** Process RSS, the part of it that is the hypervisor's page pool, the Java heap and NIO buffers. */
    private record Footprint(long rss, long poolRss, long heap, long buffers) {
        static Footprint measure(Hypervisor hv) throws IOException, InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            ResidentPages.trimNativeHeap();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long buffers = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                buffers += pool.getMemoryUsed();
            }
            long[] rss = readRss(hv);
            return new Footprint(rss[0], rss[1], heap, buffers);
        }

        double beyondGuestRam(Footprint before) {
            return (rss - before.rss) - (poolRss - before.poolRss);
        }

        /** {VmRSS, resident bytes of the pool's mapping (mincore over it)}. */
        private static long[] readRss(Hypervisor hv) throws IOException {
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                }
            }
            return new long[] {rss, ResidentPages.count(hv.pool().pages(0, hv.pool().pageCount())) * 4096};
        }

        private static long kib(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
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
