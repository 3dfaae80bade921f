package dev.parvis.e2e.shell;

import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell as CI runs it, in its own process ({@code ./parvis -File} and {@code ./parvis -Command}
 * run ShellMain): the exit codes a CI script branches on, errors on stderr with the position of the
 * mistake, commands that reach the data directory's running host service rather than starting a
 * host of their own, and Ctrl-C (SIGINT) stopping an endless script with exit code 130.
 */
class ShellCommandLineTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /** How one shell process ended. */
    private record Ended(int code, String out, String err) {
    }

    private Process start(Path dataDir, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // env --default-signal: SIGINT reaches the JVM even when the test runner was started with it ignored (a background job).
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "-Dparvis.guests.dir=" + GuestHarness.guestsDir(),
                "dev.parvis.shell.console.ShellMain"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("PARVIS_DATA_DIR", dataDir.toString());
        return pb.start();
    }

    private Ended await(Process p) throws Exception {
        if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the shell process did not end; stderr:\n" + Files.readString(dir.resolve("err.txt")));
        }
        return new Ended(p.exitValue(), Files.readString(dir.resolve("out.txt")).strip(), Files.readString(dir.resolve("err.txt")));
    }

    private Ended shell(String... args) throws Exception {
        return await(start(dir.resolve("data"), args));
    }

    @Test
    void exitCodesAndErrorsACiScriptCanUse() throws Exception {
        assertEquals(new Ended(0, "ok", ""), shell("-Command", "'ok'"));
        assertEquals(7, shell("-Command", "exit 7").code());

        Ended typo = shell("-Command", "Get-Itme x");
        assertEquals(1, typo.code(), "a failed last statement");
        assertTrue(typo.err().contains("The term 'Get-Itme' is not recognized"), typo.err());

        Path script = dir.resolve("sum.ps1");
        Files.writeString(script, "param([int]$A, [int]$B)\n\"sum: $($A + $B)\"\nexit 3\n");
        assertEquals(new Ended(3, "sum: 5", ""), shell("-File", script.toString(), "2", "3"));

        Path broken = dir.resolve("broken.ps1");
        Files.writeString(broken, "'first line'\nif ($x -eq 1 { 'no closing parenthesis' }\n");
        Ended parse = shell("-File", broken.toString());
        assertEquals(1, parse.code());
        assertEquals("", parse.out(), "nothing of a script that does not parse runs");
        assertTrue(parse.err().contains("At " + broken + ":2 char:"), parse.err());

        Ended missing = shell("-File", dir.resolve("missing.ps1").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("Cannot read the script file"), missing.err());

        assertEquals(2, shell("-File").code(), "a wrong command line");
    }

    @Test
    void commandsReachTheDataDirectorysRunningHostService() throws Exception {
        Path data = dir.resolve("served");
        try (ShellHosts.HostProcess service = new ShellHosts.HostProcess(data)) {
            Ended made = await(start(data, "-Command", "New-VM -Name svc1 | Out-Null; (Get-VMHost).User; (Get-VMHost).Role; (Get-VM svc1).State"));
            assertEquals(new Ended(0, "admin\nadministrator\nOff", ""), made, "the shell logs in to the service as its first administrator");
            Ended listed = await(start(data, "-Command", "(Get-VM | Where-Object Name -eq svc1).Name; Remove-VM svc1 -Force"));
            assertEquals(new Ended(0, "svc1", ""), listed, "a second shell sees the VM the first made through the same service");
            String audit = Files.readString(data.resolve("management").resolve("audit.log"));
            assertTrue(audit.contains("DefineSystem") && audit.contains("DestroySystem"), "the service's audit log shows the shells' calls:\n" + audit);
        }
    }

    @Test
    void ctrlCStopsAnEndlessScriptWithExitCode130() throws Exception {
        Path script = dir.resolve("endless.ps1");
        Files.writeString(script, "'started'\n$n = 0\nwhile ($true) { $n++ }\n");
        Process p = start(dir.resolve("data"), "-File", script.toString());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.readString(dir.resolve("out.txt")).contains("started")) {
            assertTrue(p.isAlive(), "the script runs until interrupted");
            assertTrue(System.nanoTime() < deadline, "the script started");
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), "the loop is running");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
        Ended e = await(p);
        assertEquals(130, e.code(), e.err());
        assertTrue(e.err().contains("The pipeline has been stopped."), e.err());
    }
}
