package dev.parvis.e2e.vm;

import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.BackendUnderTest;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.config.AutomaticStartAction;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmHost;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmbus.server.VmbusStateCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a `parvis host` process while its VM's guest ({@code gpadlhalf}) holds a half-built
 * GPADL (the header posted, the body not yet): the host's stop action Save still saves the VM, the
 * saved state holds the GPADL being assembled, and a new host restores it: the guest's GPADL_BODY
 * completes it, the echo channel opens on it and echoes.
 */
@OnEachBackend
@Timeout(180)
class HalfBuiltGpadlAcrossHostStopTest {
    private static final int VMBUS_SECTION = 5;

    @TempDir
    Path dataDir;

    @Test
    void sigtermWhileAGuestHoldsAHalfBuiltGpadlLeavesASavedStateThatRestores() throws Exception {
        UUID id;
        try (VmHost setup = host()) {
            id = setup.service().create(VmConfig.create("gpadlhalf", "gpadlhalf")
                    .withDevices(List.of(new DeviceConfig.EchoDevice()))
                    .withAutomaticStartAction(AutomaticStartAction.START)
                    .withAutomaticStopAction(AutomaticStopAction.SAVE)).id();
        }
        Process host = startHostProcess();
        java.util.concurrent.LinkedBlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> readLines(host, lines));
        StringBuilder output = new StringBuilder();
        try {
            awaitLine(lines, "gpadlhalf is Running", output);
            Thread.sleep(1500); // the guest posts its GPADL_HEADER right after boot
        } finally {
            host.destroy(); // SIGTERM
        }
        assertTrue(host.waitFor(60, TimeUnit.SECONDS), "the host process ended after SIGTERM");
        reader.join(5000);
        lines.forEach(l -> output.append(l).append('\n'));

        Path saved = new ConfigStore(dataDir).savedStatePath(id);
        assertTrue(Files.isRegularFile(saved), "a saved state after SIGTERM; host output:\n" + output);
        VmbusServerState vmbus = vmbusSection(saved).orElseThrow(() -> new AssertionError("no VMBUS section"));
        List<VmbusServerState.GpadlEntry> assembling = vmbus.gpadls().stream()
                .filter(g -> g.phase() == VmbusServerState.GpadlEntry.ASSEMBLING).toList();
        assertEquals(1, assembling.size(), "the half-built GPADL is in the saved state: " + vmbus.gpadls());
        assertEquals(26, assembling.getFirst().filled(), "26 of its 34 PFNs, as the header carried them");

        try (VmHost next = host()) {
            VmManagementService s = next.service();
            assertInstanceOf(VmState.Running.class, s.get(id).orElseThrow().state(), "restored by the start action");
            s.postGuestMessage(id, new byte[] {1, 0, 0, 0});
            ByteBuffer reply = awaitReply(s, id);
            int created = reply.getInt();
            int opened = reply.getInt();
            int echo = reply.getInt();
            System.out.printf("half-built GPADL across SIGTERM: saved %s; after restore created 0x%x open 0x%x echo %d%n",
                    assembling.getFirst(), created, opened, echo);
            assertEquals(0, created, "GPADL_CREATED after the body came to the restored host");
            assertEquals(0, opened, "OPENCHANNEL_RESULT on that GPADL");
            assertEquals(1, echo, "and the channel echoes");
        }
    }

    private VmHost host() {
        return VmHost.start(new VmHost.Options(dataDir, GuestHarness.guestsDir(), 96L << 20, BackendUnderTest.choice()));
    }

    private Process startHostProcess() throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.parvis.wmi.cli.ManagementCommand", "host", "--data-dir", dataDir.toString(),
                "--guests-dir", GuestHarness.guestsDir().toString(), "--pool-mib", "96", "--listen", "127.0.0.1:0",
                "--backend", BackendUnderTest.choice().toString()))
                .redirectErrorStream(true).start();
    }

    private static void readLines(Process p, java.util.concurrent.BlockingQueue<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (java.io.IOException e) {
            lines.add("(output unreadable: " + e + ")");
        }
    }

    /** Waits (bounded) until the host prints a line containing {@code text}; collects what it printed. */
    private static void awaitLine(java.util.concurrent.BlockingQueue<String> lines, String text, StringBuilder seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.append(line).append('\n');
                if (line.contains(text)) {
                    return;
                }
            }
        }
        throw new AssertionError("the host never printed '" + text + "':\n" + seen);
    }

    private static ByteBuffer awaitReply(VmManagementService s, UUID id) throws Exception {
        long deadline = System.nanoTime() + VmFixture.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<byte[]> m = s.lastGuestMessage(id);
            if (m.isPresent() && m.get().length == 12) {
                return ByteBuffer.wrap(m.get()).order(ByteOrder.LITTLE_ENDIAN);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("gpadlhalf did not reply after the restore");
    }

    private static Optional<VmbusServerState> vmbusSection(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        while (b.remaining() >= 16) {
            int type = b.getInt();
            b.getInt();
            int length = (int) b.getLong();
            if (type == VMBUS_SECTION) {
                byte[] body = new byte[length];
                b.get(body);
                return Optional.of(VmbusStateCodec.decode(body, Integer.MAX_VALUE));
            }
            b.position(b.position() + length);
        }
        return Optional.empty();
    }
}
