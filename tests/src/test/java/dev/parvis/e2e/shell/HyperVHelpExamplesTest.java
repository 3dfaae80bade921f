package dev.parvis.e2e.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.command.HelpExample;
import dev.parvis.shell.engine.BufferHost;
import dev.parvis.shell.engine.RunResult;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.syntax.SourceText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example in the Hyper-V commands' help runs as written against a live host with a VM named
 * demo (the icdaemon guest), after putting demo in the state the example needs. The disk examples
 * need the host's virtual disk support, which this host does not have yet: they must fail with the
 * host's "not supported" (or, for a disk that could not be created, "no such file") error.
 */
class HyperVHelpExamplesTest {
    private static final Set<String> WAIT_FOR_STORAGE = Set.of("New-VHD", "Resize-VHD", "Merge-VHD", "Add-VMHardDiskDrive");
    private static final Map<String, String> STATE_NEEDED = Map.ofEntries(
            Map.entry("Start-VM", "Off"), Map.entry("Stop-VM", "Running"), Map.entry("Save-VM", "Running"),
            Map.entry("Suspend-VM", "Running"), Map.entry("Resume-VM", "Paused"), Map.entry("Restart-VM", "Running"),
            Map.entry("Copy-VMFile", "Running"), Map.entry("Set-VMMemory", "Off"), Map.entry("Set-VMProcessor", "Off"),
            Map.entry("Enable-VMIntegrationService", "Off"), Map.entry("Disable-VMIntegrationService", "Off"));
    private static final String TO_OFF = "if ((Get-VM demo).State -eq 'Saved') { Start-VM demo }\n"
            + "if ((Get-VM demo).State -ne 'Off') { Stop-VM demo -TurnOff }";
    private static final String TO_RUNNING = "$s = (Get-VM demo).State; if ($s -eq 'Paused') { Resume-VM demo } elseif ($s -ne 'Running') { Start-VM demo }\n"
            + "$deadline = (Get-Date).AddSeconds(60)\n"
            + "while ((Get-VMIntegrationService -VMName demo -Name 'Guest Service Interface').PrimaryStatusDescription -ne 'OK') {\n"
            + "  if ((Get-Date) -gt $deadline) { throw 'demo did not come up' }; Start-Sleep -Milliseconds 200 }";

    private static Path dir;
    private static HostConnections hosts;
    private static ShellJobs jobs;
    private static BufferHost host;
    private static ShellSession session;

    @BeforeAll
    static void host() throws Exception {
        dir = Files.createTempDirectory("parvis-hyperv-examples");
        Files.createDirectories(dir.resolve("storage"));
        Files.writeString(dir.resolve("storage").resolve("notes.txt"), "notes for the demo VM\n");
        hosts = ShellHosts.inProcess(dir);
        jobs = new ShellJobs();
        host = new BufferHost();
        session = ShellHosts.session(host, hosts, jobs);
        run("New-VM -Name demo | Out-Null; Enable-VMIntegrationService -VMName demo -Name 'Guest Service Interface'");
    }

    @AfterAll
    static void close() {
        jobs.close();
        hosts.close();
    }

    private static void run(String script) {
        host.clear();
        session.run(SourceText.interactive(script));
        assertEquals("", host.errors(), script);
    }

    static Stream<Object[]> examples() {
        return new dev.parvis.shell.SessionBuilder(new BufferHost()).hosts(new HostConnections(() -> {
            throw new IllegalStateException("not connected");
        }, Path.of("."))).build().commands().all().stream().filter(c -> c.spec().module().equals("Parvis.HyperV"))
                .flatMap(c -> c.spec().examples().stream().map(e -> new Object[] {c.spec().name(), e}));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("examples")
    void everyHyperVExampleRuns(String command, HelpExample example) {
        String state = STATE_NEEDED.get(command);
        if (state != null) {
            run(state.equals("Off") ? TO_OFF : state.equals("Paused") ? TO_RUNNING + "\nSuspend-VM demo" : TO_RUNNING);
        }
        host.clear();
        RunResult r = session.run(SourceText.interactive(example.code()));
        if (WAIT_FOR_STORAGE.contains(command)) {
            assertTrue(host.errors().contains("virtual hard disks are not supported on this host yet")
                    || host.errors().contains("no such file in the storage directories"), command + ": " + host.errors());
        } else {
            assertEquals("", host.errors(), command + " example failed: " + example.code());
            assertTrue(r.success(), example.code());
        }
        run("Get-Job | Wait-Job -Timeout 120 | Out-Null; Get-Job | Remove-Job -Force; Get-VM -Name demo2 -ErrorAction SilentlyContinue | Remove-VM -Force");
    }
}
