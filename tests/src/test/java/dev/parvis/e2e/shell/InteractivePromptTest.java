package dev.parvis.e2e.shell;

import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.shell.engine.BufferHost;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.syntax.SourceText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive prompt as a person uses it, driven through tmux (send-keys, capture-pane): Tab
 * completes a command, a parameter and a VM name; Up recalls history, also from the previous
 * session; an open block continues on the next line; Ctrl-C stops a long pipeline and not the
 * shell; a typo gets a readable error pointing at it.
 */
class InteractivePromptTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private final String socket = "parvis-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final String target = "prompt";

    @BeforeEach
    void vm() throws Exception {
        assertTrue(new ProcessBuilder("tmux", "-V").start().waitFor() == 0, "tmux is installed (apt-get install tmux)");
        try (HostConnections hosts = ShellHosts.inProcess(dataDir); ShellJobs jobs = new ShellJobs()) {
            BufferHost host = new BufferHost();
            ShellHosts.session(host, hosts, jobs).run(SourceText.interactive("New-VM -Name web1 | Out-Null"));
            assertEquals("", host.errors());
        }
    }

    @AfterEach
    void stop() throws Exception {
        tmux("kill-server");
    }

    private void startShell() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path script = dataDir.resolve("shell.sh");
        Files.writeString(script, "#!/bin/sh\nexport PARVIS_DATA_DIR='" + dataDir + "'\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' -Dparvis.guests.dir='" + GuestHarness.guestsDir()
                + "' dev.parvis.shell.console.ShellMain\n");
        script.toFile().setExecutable(true);
        assertEquals(0, tmux("new-session", "-d", "-s", target, "-x", "160", "-y", "50", script.toString()));
        waitFor("the banner", s -> s.contains("Parvis shell.") && lastLine(s).startsWith("PS>"));
    }

    @Test
    void promptCompletesRecallsContinuesStopsAndExplains() throws Exception {
        startShell();

        keys("Get-VMHo", "Tab");
        waitFor("the command completed", s -> lastLine(s).contains("PS> Get-VMHost"));
        keys("C-u");

        keys("Get-VM -Comp", "Tab");
        waitFor("the parameter completed", s -> lastLine(s).contains("PS> Get-VM -ComputerName"));
        keys("C-u");

        keys("Get-Content " + dataDir + "/she", "Tab");
        waitFor("the path completed", s -> lastLine(s).contains("PS> Get-Content " + dataDir + "/shell.sh"));
        keys("C-u");

        keys("Get-VM -Name we", "Tab");
        waitFor("the VM name completed", s -> lastLine(s).contains("PS> Get-VM -Name web1"));
        keys("Enter");
        waitFor("Get-VM's table", s -> s.contains("Name State CPUUsage(%) MemoryAssigned(M) Uptime") && s.contains("web1 Off"));

        keys("Get-VMM", "Enter");
        waitFor("a readable error at the typo", s -> s.contains("The term 'Get-VMM' is not recognized") && s.contains("Did you mean")
                && s.contains("+ Get-VMM\n+ ~~~~~~~"));

        keys("foreach ($i in 1..2) {", "Enter");
        waitFor("the continuation prompt", s -> lastLine(s).startsWith(">>"));
        keys("  \"line $i\"", "Enter", "}", "Enter");
        waitFor("the block ran", s -> s.contains("line 1\nline 2"));

        keys("1..100000 | ForEach-Object { Start-Sleep -Milliseconds 20; \"tick $_\" }", "Enter");
        waitFor("the pipeline running", s -> s.contains("tick 5"));
        keys("C-c");
        waitFor("the pipeline stopped and the prompt back", s -> s.contains("The pipeline has been stopped.") && lastLine(s).startsWith("PS>"));
        keys("'still here after Ctrl-C'", "Enter");
        waitFor("the shell still working", s -> s.contains("\nstill here after Ctrl-C"));

        keys("Up");
        waitFor("history recalled", s -> lastLine(s).contains("PS> 'still here after Ctrl-C'"));
        keys("C-u", "exit", "Enter");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (tmux("has-session", "-t", target) == 0) {
            assertTrue(System.nanoTime() < deadline, "exit ends the shell (and with it the tmux session)");
            Thread.sleep(100);
        }

        startShell();
        keys("Up", "Up");
        waitFor("history from the previous session", s -> lastLine(s).contains("PS> 'still here after Ctrl-C'"));
        keys("C-u", "exit", "Enter");
    }

    private static String lastLine(String screen) {
        List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private void keys(String... keys) throws Exception {
        for (String k : keys) {
            boolean named = k.equals("Tab") || k.equals("Enter") || k.equals("Up") || k.startsWith("C-");
            List<String> args = new ArrayList<>(List.of("send-keys", "-t", target));
            if (!named) {
                args.add("-l");
            }
            args.add(k);
            assertEquals(0, tmux(args.toArray(String[]::new)));
            Thread.sleep(named ? 150 : 50);
        }
    }

    private String screen() throws Exception {
        Process p = new ProcessBuilder("tmux", "-L", socket, "capture-pane", "-p", "-J", "-S", "-200", "-t", target).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.replaceAll("[ \t]+\n", "\n");
    }

    private void waitFor(String what, Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String s = "";
        while (System.nanoTime() < deadline) {
            s = screen();
            if (ok.test(s)) {
                return;
            }
            Thread.sleep(100);
        }
        fail("waiting for " + what + "; the screen:\n" + s);
    }

    private int tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
