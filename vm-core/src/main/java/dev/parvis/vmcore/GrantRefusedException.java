package dev.parvis.vmcore;

/** A grant named a page the child does not have mapped read-write, or a partition that does not exist. */
public final class GrantRefusedException extends RuntimeException {
    public GrantRefusedException(String message) {
        super(message);
    }
}
