package dev.parvis.shell.commands;

import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.MemberContext;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellHashtable;
import java.util.List;

/** Member calls made by a command on its input objects, checked against Ctrl-C through the command's context. */
record CommandMemberContext(CommandContext ctx) implements MemberContext {
    @Override
    public void checkpoint() {
        ctx.checkpoint();
    }

    @Override
    public void setMatches(ShellHashtable matches) {
        ctx.setVariable("Matches", matches);
    }

    @Override
    public List<Object> invoke(ScriptBlock block, Object dollarUnder, List<?> args) {
        return ctx.invoke(block, dollarUnder, args);
    }

    @Override
    public ScriptBlock parse(String text) {
        throw new RuntimeError("Script blocks cannot be created here.", ErrorCategory.INVALID_OPERATION, "NoParser");
    }
}
