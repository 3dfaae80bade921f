package dev.parvis.e2e.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
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
 * run against the host's VHDX disk service with demo off: the files they name are laid out first
 * (none for New-VHD, data1.vhdx for the others, a parent and a differencing child.vhdx for
 * Merge-VHD) and every drive is detached after each.
 */
class HyperVHelpExamplesTest {
    private static final Set<String> DISK_COMMANDS = Set.of("New-VHD", "Resize-VHD", "Merge-VHD", "Get-VHD",
            "Add-VMHardDiskDrive", "Get-VMHardDiskDrive", "Remove-VMHardDiskDrive");
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
    void everyHyperVExampleRuns(String command, HelpExample example) throws Exception {
        String state = DISK_COMMANDS.contains(command) ? "Off" : STATE_NEEDED.get(command);
        if (state != null) {
            run(state.equals("Off") ? TO_OFF : state.equals("Paused") ? TO_RUNNING + "\nSuspend-VM demo" : TO_RUNNING);
        }
        if (DISK_COMMANDS.contains(command)) {
            layOutDisks(command);
        }
        host.clear();
        RunResult r = session.run(SourceText.interactive(example.code()));
        assertEquals("", host.errors(), command + " example failed: " + example.code());
        assertTrue(r.success(), example.code());
        if (DISK_COMMANDS.contains(command)) {
            run("Get-VMHardDiskDrive -VMName demo | Remove-VMHardDiskDrive");
        }
        run("Get-Job | Wait-Job -Timeout 120 | Out-Null; Get-Job | Remove-Job -Force; Get-VM -Name demo2 -ErrorAction SilentlyContinue | Remove-VM -Force");
    }

    /** The files a disk example names, as the example expects to find them (demo is off, no drive attached). */
    private static void layOutDisks(String command) throws java.io.IOException {
        Path storage = dir.resolve("storage");
        Path data1 = storage.resolve("data1.vhdx");
        Files.deleteIfExists(data1);
        if (!command.equals("New-VHD")) {
            VhdxCreator.create(data1, CreateRequest.dynamic(64L << 20));
        }
        if (command.equals("Get-VHD") || command.equals("Get-VMHardDiskDrive") || command.equals("Remove-VMHardDiskDrive")) {
            run("Add-VMHardDiskDrive -VMName demo -Path data1.vhdx");
        }
        if (command.equals("Merge-VHD")) {
            Path parent = storage.resolve("parent.vhdx");
            Path child = storage.resolve("child.vhdx");
            Files.deleteIfExists(child);
            Files.deleteIfExists(parent);
            VhdxCreator.create(parent, CreateRequest.dynamic(64L << 20));
            VhdxCreator.create(child, CreateRequest.differencing(parent));
        }
    }
}
