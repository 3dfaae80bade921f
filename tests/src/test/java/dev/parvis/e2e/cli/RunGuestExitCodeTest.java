package dev.parvis.e2e.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.BackendUnderTest;
import dev.parvis.e2e.OnEachBackend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code parvis run-guest} as a process (the JVM entry point ./parvis runs), on gcc-built guests: the
 * process exit code is the guest's status, or the documented code for a failed, timed-out or refused run.
 */
@OnEachBackend
@Timeout(300)
class RunGuestExitCodeTest {
    private record Run(int exitCode, String output) {}

    private static Run runGuest(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("run-guest", "--backend", BackendUnderTest.choice().toString()));
        command.addAll(List.of(args));
        Process p = ParvisProcess.of(command.toArray(String[]::new)).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "run-guest ended");
        System.out.printf("run-guest %s -> exit %d%n", String.join(" ", args), p.exitValue());
        return new Run(p.exitValue(), output);
    }

    @Test
    void aGuestThatReturnsZeroExitsZero() throws Exception {
        Run run = runGuest("hello");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("root: hello powered off with status 0"), run.output());
    }

    @Test
    void aGuestThatReturnsThreeExitsThree() throws Exception {
        Run run = runGuest("exitstatus");
        assertEquals(3, run.exitCode(), run.output());
        assertTrue(run.output().contains("[exitstatus] parvis: main returned 3, powering off"), run.output());
    }

    @Test
    void aGuestThatFaultsExitsWithTheGuestFailedCode() throws Exception {
        Run run = runGuest("fault");
        assertEquals(123, run.exitCode(), run.output());
        assertTrue(run.output().contains("parvis run-guest: fault failed: UNMAPPED_GPA at GPA 0x400000"), run.output());
    }

    @Test
    void aGuestThatNeverPowersOffExitsWithTheTimeoutCode() throws Exception {
        Run run = runGuest("counter", "--timeout", "2");
        assertEquals(124, run.exitCode(), run.output());
        assertTrue(run.output().contains("did not power off within 2 s"), run.output());
    }

    @Test
    void aRefusedImageAndABadCommandLineHaveTheirOwnCodes() throws Exception {
        Run device = runGuest("/dev/zero");
        assertEquals(121, device.exitCode(), device.output());
        assertTrue(device.output().contains("guest image /dev/zero: a character device, not a regular file"), device.output());
        Run usage = runGuest("hello", "--timeout", "soon");
        assertEquals(122, usage.exitCode(), usage.output());
    }
}
