package dev.parvis.root.vm;

/** A VM cannot start: the host's page pool cannot hold its RAM and deposits (Hyper-V's 32778 "Out of memory"). */
public final class InsufficientHostMemoryException extends VmException {
    private final long neededPages;
    private final long availablePages;

    public InsufficientHostMemoryException(String vmName, long neededPages, long availablePages) {
        super("not enough memory in the system to start VM '%s': it needs %d MiB (%d pages of RAM and deposits), the host pool has %d MiB (%d pages) available"
                .formatted(vmName, neededPages >> 8, neededPages, availablePages >> 8, availablePages));
        this.neededPages = neededPages;
        this.availablePages = availablePages;
    }

    public long neededPages() {
        return neededPages;
    }

    public long availablePages() {
        return availablePages;
    }
}
