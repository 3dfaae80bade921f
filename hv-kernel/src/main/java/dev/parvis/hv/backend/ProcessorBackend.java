package dev.parvis.hv.backend;

/**
 * A way to execute guest code: the unicorn CPU core today, KVM later. The kernel never asks which
 * one it has; it creates one {@link VpEngine} per virtual processor.
 */
public interface ProcessorBackend extends AutoCloseable {

    /** Short name for logs and the launcher ("unicorn"). */
    String name();

    /**
     * Creates the execution engine of one virtual processor in 64-bit long mode. The engine maps no
     * memory until {@link VpEngine#applyMemoryMap} is called.
     *
     * @param intercepts synchronous callbacks the engine makes on the VP's own thread while it runs
     */
    VpEngine createEngine(VpIntercepts intercepts);

    @Override
    void close();
}
