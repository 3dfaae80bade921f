package dev.parvis.shell.engine;

/**
 * Thrown by a command that needs no more input (Select-Object -First): unwinds the commands before
 * it in its own pipeline, which then finishes the commands after it.
 */
final class StopUpstream extends RuntimeException {
    private final transient PipelineRun run;
    private final int stage;

    StopUpstream(PipelineRun run, int stage) {
        super(null, null, false, false);
        this.run = run;
        this.stage = stage;
    }

    PipelineRun run() {
        return run;
    }

    int stage() {
        return stage;
    }
}
