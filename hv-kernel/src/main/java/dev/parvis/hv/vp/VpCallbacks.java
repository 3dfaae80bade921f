package dev.parvis.hv.vp;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.partition.Partition;

/**
 * A VP's answers to CPUID and port I/O while it runs. Ports the root installed an intercept for end
 * the run (and reach the root as intercept messages); other ports read all-ones and drop writes,
 * like an empty ISA bus.
 */
public final class VpCallbacks implements VpIntercepts {
    private final Partition partition;
    private final CpuidPolicy cpuid;
    private int vpIndex;

    public VpCallbacks(Partition partition, CpuidPolicy cpuid) {
        this.partition = partition;
        this.cpuid = cpuid;
    }

    public void bind(int vpIndex) {
        this.vpIndex = vpIndex;
    }

    @Override
    public CpuidResult cpuid(int leaf, int subleaf) {
        return cpuid.leaf(leaf, subleaf, vpIndex);
    }

    @Override
    public long portIn(int port, int size) {
        return size >= 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1;
    }

    @Override
    public boolean portOut(int port, int size, long value) {
        return !partition.ioPortIntercepts().contains(port);
    }
}
