package dev.parvis.root.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.root.run.GuestRun;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RunGuestExitCodeTest {
    private static int poweredOff(OptionalInt status) {
        return RunGuestExitCode.of(new GuestRun.Outcome.PoweredOff(0, status));
    }

    @Test
    void aReportedStatusIn0To119IsTheExitCode() {
        assertEquals(0, poweredOff(OptionalInt.of(0)));
        assertEquals(3, poweredOff(OptionalInt.of(3)));
        assertEquals(119, poweredOff(OptionalInt.of(119)));
        assertEquals(0, poweredOff(OptionalInt.empty()), "a plain power-off (no status reported) is success, as before");
    }

    @Test
    void aStatusOutsideTheRangeNeverPassesForAnotherCode() {
        // 256 would read as 0 and 123 as "guest failed" if passed through to the OS's 8-bit exit code.
        for (int status : new int[] {120, 123, 125, 255, 256, -1, Integer.MIN_VALUE}) {
            assertEquals(RunGuestExitCode.STATUS_OUT_OF_RANGE, poweredOff(OptionalInt.of(status)), "status " + status);
        }
    }

    @Test
    void failuresAndTimeoutsHaveTheirOwnCodes() {
        assertEquals(123, RunGuestExitCode.of(new GuestRun.Outcome.Failed("triple fault")));
        assertEquals(124, RunGuestExitCode.of(new GuestRun.Outcome.TimedOut(Duration.ofSeconds(1))));
    }
}
