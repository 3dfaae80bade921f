package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.Statement;
import dev.parvis.shell.syntax.TypeName;

/**
 * try/catch/finally. While the try block runs, errors that would otherwise only be reported
 * propagate to it; a catch clause without types takes any error, one with types takes the errors
 * whose exception type (or a base of it) it names; $_ is the error record inside the catch block.
 */
final class TryStatement {
    private final Interpreter in;

    TryStatement(Interpreter in) {
        this.in = in;
    }

    void execute(Statement.Try t, Frame f, Pipe out) {
        try {
            RuntimeError caught = runBody(t, f, out);
            if (caught != null) {
                handle(t, caught, f, out);
            }
        } finally {
            if (t.finallyBlock() != null) {
                in.statements().executeList(t.finallyBlock().statements(), f, out);
            }
        }
    }

    private RuntimeError runBody(Statement.Try t, Frame f, Pipe out) {
        in.session().enterTry();
        try {
            in.statements().executeList(t.body().statements(), f, out);
            return null;
        } catch (RuntimeError e) {
            return e;
        } finally {
            in.session().exitTry();
        }
    }

    private void handle(Statement.Try t, RuntimeError e, Frame f, Pipe out) {
        ErrorRecord record = e.record();
        in.session().recordError(record);
        for (Statement.Catch c : t.catches()) {
            if (matches(c, record)) {
                Object saved = f.scope().get("_");
                f.scope().set("_", record);
                try {
                    in.statements().executeList(c.body().statements(), f, out);
                } finally {
                    f.scope().set("_", saved);
                }
                return;
            }
        }
        throw e;
    }

    private static boolean matches(Statement.Catch c, ErrorRecord record) {
        if (c.types().isEmpty()) {
            return true;
        }
        for (TypeName type : c.types()) {
            String simple = type.name().substring(type.name().lastIndexOf('.') + 1);
            if (record.catchableTypes().stream().anyMatch(n -> n.equalsIgnoreCase(simple))) {
                return true;
            }
        }
        return false;
    }
}
