package dev.parvis.e2e.shell;

import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.shell.SessionBuilder;
import dev.parvis.shell.engine.BufferHost;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.hyperv.LocalHost;
import dev.parvis.shell.jobs.ShellJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts for the shell's end-to-end tests: the shell's own in-process host on a data directory
 * (what {@code ./parvis} uses when no host service runs), and a second host process
 * ({@code parvis host}) on loopback TLS that the shell reaches as a remote computer.
 */
final class ShellHosts {
    static final long POOL = 256L << 20;

    private ShellHosts() {
    }

    /** Connections whose local host runs in this process on {@code dataDir}. */
    static HostConnections inProcess(Path dataDir) {
        LocalHost.Options o = new LocalHost.Options(dataDir, GuestHarness.guestsDir(), POOL);
        return new HostConnections(() -> LocalHost.connect(o), dataDir);
    }

    static ShellSession session(BufferHost host, HostConnections hosts, ShellJobs jobs) {
        return new SessionBuilder(host).hosts(hosts).jobs(jobs).build();
    }

    /** A {@code parvis host} process on 127.0.0.1 (a free port) over {@code dataDir}. */
    static final class HostProcess implements AutoCloseable {
        final Path dataDir;
        final Process process;

        HostProcess(Path dataDir) throws IOException, InterruptedException {
            this.dataDir = dataDir;
            String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.parvis.wmi.cli.ManagementCommand", "host", "--data-dir", dataDir.toString(), "--guests-dir", GuestHarness.guestsDir().toString(),
                    "--pool-mib", "256", "--listen", "127.0.0.1:0"));
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dataDir.resolve("host.log").toFile()).start();
            Path endpoint = dataDir.resolve("management").resolve("endpoint");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!Files.isRegularFile(endpoint) || !Files.isRegularFile(dataDir.resolve("management").resolve("admin.credential"))) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    fail("the host process did not start:\n" + Files.readString(dataDir.resolve("host.log")));
                }
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS) || destroyForcibly(), "the host process ended");
        }

        private boolean destroyForcibly() throws InterruptedException {
            process.destroyForcibly();
            return process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
