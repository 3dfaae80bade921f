package dev.parvis.hv.backend;

import dev.parvis.abi.hv.HvConstants;
import java.util.Set;

/**
 * A way to execute guest code: the unicorn CPU core or KVM. The kernel never asks which one it has;
 * it creates one {@link VpEngine} per virtual processor and asks {@link #capabilities()}.
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

    /**
     * What this backend can and cannot do (CPUID intercepts, MSR traps, VPs of one partition in
     * parallel).
     */
    Set<BackendCapability> capabilities();

    /**
     * The 4096 bytes the kernel writes into the page a guest names in its HYPERCALL register: the
     * instruction sequences behind the TLFS hypercall entry and the Parvis entries of the boot
     * protocol (BootProtocol.HYPERCALL_PAGE_HALT ...). Their layout is fixed (entries, and the
     * {@code ret} after each call, sit at the same offsets on every backend); the instructions are the
     * backend's choice. By default the standard image: VMCALL, HLT and OUT.
     */
    default byte[] hypercallPageImage() {
        return HvConstants.hypercallPageImage();
    }

    @Override
    void close();
}
