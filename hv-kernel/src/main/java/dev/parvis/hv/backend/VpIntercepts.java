package dev.parvis.hv.backend;

import java.util.OptionalLong;

/**
 * Callbacks a {@link VpEngine} makes synchronously, on the VP's thread, while the guest runs. They
 * must be cheap and must not throw (an exception escaping a native upcall ends the JVM; engines
 * catch and treat a throw as "not handled").
 */
public interface VpIntercepts {

    /** The result of CPUID for a leaf and subleaf (ECX). */
    CpuidResult cpuid(int leaf, int subleaf);

    /** The value an IN instruction reads (only the low {@code size} bytes are used). */
    long portIn(int port, int size);

    /**
     * Handles an OUT instruction inline and returns true, or returns false to end the run with
     * {@link VpExit.IoPortWrite}.
     */
    boolean portOut(int port, int size, long value);

    /**
     * RDMSR of {@code index}, from backends with {@link BackendCapability#MSR_INTERCEPT} (which trap
     * at least the synthetic range, HvSyntheticMsr): the value, or empty when the guest gets #GP.
     */
    default OptionalLong readMsr(int index) {
        return OptionalLong.empty();
    }

    /**
     * WRMSR of {@code index}: true if the value was taken, false when the guest gets #GP. A write may
     * change the partition's GPA map (the HYPERCALL MSR does), so the engine returns to the kernel
     * after it.
     */
    default boolean writeMsr(int index, long value) {
        return false;
    }
}
