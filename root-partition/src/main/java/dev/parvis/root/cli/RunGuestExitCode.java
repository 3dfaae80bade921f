package dev.parvis.root.cli;

import dev.parvis.root.run.GuestRun;

/**
 * The exit codes of {@code parvis run-guest} (README "Running a guest"): the guest's own status when
 * it reports one in 0..{@value #MAX_GUEST_STATUS}, else one of the codes above that range, so a
 * script can tell the guest's verdict from the host's.
 */
final class RunGuestExitCode {
    /** Guest statuses 0..119 are passed through unchanged. */
    static final int MAX_GUEST_STATUS = 119;
    /** The guest reported a status outside 0..119 (negative, or larger); the status is printed. */
    static final int STATUS_OUT_OF_RANGE = 120;
    /** The image was refused: missing, not a regular file, too large, malformed, or not fitting the RAM. */
    static final int IMAGE_REFUSED = 121;
    /** The command line was wrong (unknown option, missing NAME, bad number). */
    static final int USAGE = 122;
    /** The guest failed: its partition ended without powering off (fault, unrecoverable exception, unknown port...). */
    static final int GUEST_FAILED = 123;
    /** The guest did not power off within --timeout (as timeout(1)). */
    static final int TIMED_OUT = 124;
    /** Parvis itself failed (the hypervisor could not boot, an internal error; as timeout(1)). */
    static final int HOST_FAILED = 125;

    private RunGuestExitCode() {
    }

    /** The process exit code for how the run ended; a power-off without a reported status counts as 0. */
    static int of(GuestRun.Outcome outcome) {
        return switch (outcome) {
            case GuestRun.Outcome.PoweredOff off -> {
                int status = off.status().orElse(0);
                yield status >= 0 && status <= MAX_GUEST_STATUS ? status : STATUS_OUT_OF_RANGE;
            }
            case GuestRun.Outcome.Failed failed -> GUEST_FAILED;
            case GuestRun.Outcome.TimedOut timedOut -> TIMED_OUT;
        };
    }
}
