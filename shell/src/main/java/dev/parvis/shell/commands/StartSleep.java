package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;

/** Start-Sleep: waits, in short slices so Ctrl-C stops it at once. */
public final class StartSleep implements CommandDefinition {
    private static final long SLICE_MS = 20;
    private static final CommandSpec SPEC = CommandSpec.named("Start-Sleep")
            .synopsis("Waits for a time.")
            .description("Waits the given seconds (fractions allowed) or milliseconds. Ctrl-C ends the wait.")
            .parameter(ParameterSpec.of("Seconds", ParameterKind.DOUBLE, "How long to wait, in seconds.").at(0).alias("s"))
            .parameter(ParameterSpec.of("Milliseconds", ParameterKind.LONG, "How long to wait, in milliseconds.").alias("ms"))
            .example("Start-Sleep -Milliseconds 10", "Waits 10 ms.")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        long ms = p.has("Milliseconds") ? p.longValue("Milliseconds", 0) : Math.round(dev.parvis.shell.runtime.Conversions.toDouble(p.get("Seconds")) * 1000);
        if (ms < 0 || ms > 365L * 24 * 3600 * 1000) {
            throw new RuntimeError("The time to sleep must be between 0 and a year.", ErrorCategory.INVALID_ARGUMENT, "BadSleep");
        }
        return (input, record, out) -> {
            long end = System.nanoTime() + ms * 1_000_000;
            while (true) {
                ctx.checkpoint();
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return;
                }
                try {
                    Thread.sleep(Math.min(left, SLICE_MS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ctx.checkpoint();
                    return;
                }
            }
        };
    }
}
