package dev.parvis.shell.syntax;

/** Prefix operators. */
public enum UnaryOperator {
    NOT("-not"), NEGATE("-"), PLUS("+"), BNOT("-bnot"), JOIN("-join"), SPLIT("-split"), COMMA(",");

    private final String text;

    UnaryOperator(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}
