package dev.parvis.root.loader;

/** A guest image the loader refuses: unreadable, not a regular file, malformed, or not fitting the boot protocol. */
public final class InvalidImageException extends RuntimeException {
    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
