package dev.parvis.root.loader;

/** A guest image the loader refuses: malformed, or not fitting the boot protocol. */
public final class InvalidImageException extends RuntimeException {
    public InvalidImageException(String message) {
        super(message);
    }
}
