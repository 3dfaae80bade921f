package dev.parvis.shell.engine;

/** The result of an expression that outputs nothing ({@code [void]...}, an assignment): never written to a pipeline. */
final class Nothing {
    static final Nothing VALUE = new Nothing();

    private Nothing() {
    }

    @Override
    public String toString() {
        return "";
    }
}
