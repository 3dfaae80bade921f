package dev.parvis.hv.memory;

/** A page operation named a page that is not in the state the operation needs. */
public final class PageStateException extends Exception {
    public PageStateException(String message) {
        super(message);
    }
}
