package dev.parvis.e2e.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.config.AutomaticStartAction;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.VmConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parvis host} as a process: SIGTERM runs the automatic stop actions and the exit code says
 * whether they all completed; a host that cannot start says so with its exit code.
 */
@Timeout(300)
class HostExitCodeTest {
    @TempDir
    Path data;

    private record Host(Process process, StringBuffer output, CountDownLatch running, Thread reader) {
        /** The exit code, once the process and its output are complete. */
        int exitCode() throws InterruptedException {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the host stopped:\n" + output);
            reader.join(10_000);
            return process.exitValue();
        }
    }

    private static Host startHost(Path dataDir) throws Exception {
        Process p = ParvisProcess.management("host", "--data-dir", dataDir.toString(), "--pool-mib", "64", "--listen", "127.0.0.1:0").start();
        StringBuffer output = new StringBuffer();
        CountDownLatch running = new CountDownLatch(1);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.append(line).append('\n');
                    if (line.startsWith("parvis host: running ")) {
                        running.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                output.append("(output lost: ").append(e).append(")\n");
            }
        });
        return new Host(p, output, running, reader);
    }

    private static int terminate(Host host) throws Exception {
        assertTrue(host.running().await(120, TimeUnit.SECONDS), "the host came up:\n" + host.output());
        host.process().toHandle().destroy(); // SIGTERM, leaving the output stream open (Process.destroy closes it)
        int code = host.exitCode();
        System.out.printf("parvis host -> exit %d%n%s", code, host.output());
        return code;
    }

    private VmConfig autoStartedVm(ConfigStore store) {
        VmConfig vm = VmConfig.create("saver", "counter").withAutomaticStartAction(AutomaticStartAction.START)
                .withAutomaticStopAction(AutomaticStopAction.SAVE);
        store.save(vm);
        return vm;
    }

    @Test
    void sigtermSavesTheVmAndExitsZero() throws Exception {
        ConfigStore store = new ConfigStore(data);
        VmConfig vm = autoStartedVm(store);
        int code = terminate(startHost(data));
        assertEquals(0, code);
        assertTrue(Files.isRegularFile(store.savedStatePath(vm.id())), "the automatic stop action saved the VM");
    }

    @Test
    void aSaveThatFailsAtStopMakesTheExitCodeOne() throws Exception {
        ConfigStore store = new ConfigStore(data);
        VmConfig vm = autoStartedVm(store);
        Host host = startHost(data);
        assertTrue(host.running().await(120, TimeUnit.SECONDS), "the host came up:\n" + host.output());
        // A directory where the saved state must go: the save fails and the VM is turned off instead.
        Files.createDirectories(store.savedStatePath(vm.id()).resolve("in-the-way"));
        int code = terminate(host);
        assertEquals(1, code);
        assertTrue(host.output().toString().contains("saving 'saver' failed"), host.output().toString());
        assertTrue(host.output().toString().contains("parvis host: stopped with 1 problem(s)"), host.output().toString());
    }

    @Test
    void aHostThatCannotStartExitsOne() throws Exception {
        Path file = Files.writeString(data.resolve("not-a-directory"), "x");
        Host host = startHost(file);
        assertEquals(1, host.exitCode(), host.output().toString());
        assertTrue(host.output().toString().contains("parvis host: the data directory " + file + " is not a directory"),
                host.output().toString());
    }
}
