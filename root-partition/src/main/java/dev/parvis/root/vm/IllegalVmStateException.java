package dev.parvis.root.vm;

/**
 * A request the VM cannot take in its current state (Hyper-V's 32775 "Invalid state for this
 * operation"). Names the state and the refused request.
 */
public final class IllegalVmStateException extends VmException {
    private final VmState state;
    private final String request;

    public IllegalVmStateException(String vmName, VmState state, String request) {
        super("VM '%s' is %s: %s is not allowed in that state".formatted(vmName, state.displayName(), request));
        this.state = state;
        this.request = request;
    }

    public VmState state() {
        return state;
    }

    public String request() {
        return request;
    }
}
