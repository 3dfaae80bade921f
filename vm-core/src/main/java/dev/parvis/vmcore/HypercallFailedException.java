package dev.parvis.vmcore;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvStatus;

/** A root hypercall returned a failure status. */
public final class HypercallFailedException extends RuntimeException {
    private final HvCallCode call;
    private final HvStatus status;

    public HypercallFailedException(HvCallCode call, HvStatus status) {
        super(call + " failed: " + status);
        this.call = call;
        this.status = status;
    }

    public HvCallCode call() {
        return call;
    }

    public HvStatus status() {
        return status;
    }
}
