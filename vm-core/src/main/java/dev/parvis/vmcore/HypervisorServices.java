package dev.parvis.vmcore;

/**
 * Everything the root partition's stack gets from the hypervisor, in one handle. Only the
 * root-partition module wires a real kernel to it.
 */
public interface HypervisorServices extends AutoCloseable {

    HypercallGateway gateway();

    RootPhysicalMemory rootMemory();

    RootSynic rootSynic();

    GuestMemoryGrants grants();

    /** Routes every child's debug output to {@code listener} (replacing the previous one). */
    void setDebugListener(ChildDebugListener listener);

    /** Queues bytes a child will read with HvCallRetrieveDebugData. */
    void sendDebugData(long partitionId, byte[] data);

    @Override
    void close();
}
