package dev.parvis.shell.engine;

/**
 * The non-local exits of the language, as exceptions without stack traces: break, continue,
 * return and exit. They are never caught by a script's try/catch (finally blocks still run).
 */
abstract sealed class ControlFlow extends RuntimeException
        permits ControlFlow.Break, ControlFlow.Continue, ControlFlow.Return, ControlFlow.Exit {
    ControlFlow() {
        super(null, null, false, false);
    }

    static final class Break extends ControlFlow {
        static final Break INSTANCE = new Break();
    }

    static final class Continue extends ControlFlow {
        static final Continue INSTANCE = new Continue();
    }

    static final class Return extends ControlFlow {
        static final Return INSTANCE = new Return();
    }

    /** {@code exit N}: ends the script (or, at the prompt, the shell) with that code. */
    static final class Exit extends ControlFlow {
        private final int code;

        Exit(int code) {
            this.code = code;
        }

        int code() {
            return code;
        }
    }
}
