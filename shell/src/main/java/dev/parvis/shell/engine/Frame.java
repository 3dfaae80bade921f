package dev.parvis.shell.engine;

/** Where code runs: the session and the current variable scope. */
record Frame(ShellSession session, Scope scope) {
    Frame child(boolean scriptScope) {
        return new Frame(session, new Scope(scope, scriptScope));
    }

    Interpreter interpreter() {
        return session.interpreter();
    }
}
