package dev.parvis.shell.engine;

/**
 * How a run of a script or typed line ended: {@code exitCode} is what a CI script sees (the
 * {@code exit} statement's code, 1 after a terminating error, else 0), {@code success} is $?, and
 * {@code exited} says an {@code exit} statement ran.
 */
public record RunResult(int exitCode, boolean success, boolean exited) {
}
