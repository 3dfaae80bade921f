package dev.parvis.root.vm;

/** A saved-state file that cannot be written or read back: truncated, corrupt, or of another version. */
public final class SavedStateException extends VmException {
    public SavedStateException(String message) {
        super(message);
    }
}
