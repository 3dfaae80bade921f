package dev.parvis.bench;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.host.ManagementHost;
import dev.parvis.wmi.model.ManagementModel;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code api}: WQL query round trips per second through the management API over loopback TLS
 * (Thrift, framed binary, login, audit line per call) with 1 and 16 clients, each against the same
 * query answered in-process by the model with the same number of threads.
 */
final class ApiBench implements Benchmark {
    private static final String QUERY = "SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'";
    private static final long MEASURE_NANOS = 3_000_000_000L;

    @Override
    public String name() {
        return "api";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        Path dataDir = Files.createTempDirectory("parvis-bench-api");
        Path guests = Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests"));
        try (Hypervisor hv = Hypervisor.boot(new HypervisorConfig(32L << 20, backend, HypervisorConfig.DEFAULT_RUN_SLICE));
             VmManagementService service = new VmManagementService(hv, new ConfigStore(dataDir), guests);
             ManagementHost api = ManagementHost.start(service, ManagementHost.Options.of(dataDir, guests,
                     new InetSocketAddress("127.0.0.1", 0)))) {
            service.create(VmConfig.create("bench-a", "counter"));
            service.create(VmConfig.create("bench-b", "counter"));
            Properties admin = ClientOptions.credential(api.createdCredential().orElseThrow());
            ClientOptions options = api.clientOptions(admin.getProperty("user"), admin.getProperty("password"));
            String token;
            try (ThriftManagementClient first = ThriftManagementClient.connect(options)) {
                token = first.token();
            }
            ManagementModel model = api.model();
            for (int clients : new int[] {1, 16}) {
                double local = rate(clients, () -> () -> model.query(QUERY).size());
                List<ManagementClient> connections = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    connections.add(ThriftManagementClient.resume(options, token));
                }
                int[] next = {0};
                double remote = rate(clients, () -> {
                    ManagementClient c = connections.get(next[0]++);
                    return () -> c.query(QUERY).size();
                });
                connections.forEach(ManagementClient::close);
                out.printf("api: %d client(s): %.0f WQL round trips/s over loopback TLS (Thrift, audited), baseline %.0f/s in-process"
                        + " (model.query, %d thread(s)) ratio=%.4f%n", clients, remote, local, clients, remote / local);
            }
        } finally {
            LifecycleBench.deleteTree(dataDir);
        }
    }

    /** Queries per second over {@code threads} threads, each running its own query loop for the measured time (after a warm-up). */
    private static double rate(int threads, Supplier<Callable<Integer>> perThread) throws Exception {
        List<Callable<Integer>> bodies = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            bodies.add(perThread.get());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            run(pool, bodies, MEASURE_NANOS / 3);
            long t0 = System.nanoTime();
            long count = run(pool, bodies, MEASURE_NANOS);
            return count / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    private static long run(ExecutorService pool, List<Callable<Integer>> bodies, long nanos) throws Exception {
        long deadline = System.nanoTime() + nanos;
        List<Future<Long>> all = new ArrayList<>();
        for (Callable<Integer> body : bodies) {
            all.add(pool.submit(() -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                    if (body.call() != 2) {
                        throw new IllegalStateException("wrong answer");
                    }
                    n++;
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Long> f : all) {
            total += f.get();
        }
        return total;
    }
}
