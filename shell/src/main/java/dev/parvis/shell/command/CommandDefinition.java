package dev.parvis.shell.command;

/** A command: what it declares (name, parameters, help) and how to start it for one pipeline. */
public interface CommandDefinition {
    CommandSpec spec();

    /** A processor for one pipeline; {@code parameters} are the ones bound from the command line. */
    CommandProcessor create(BoundParameters parameters, CommandContext context);
}
