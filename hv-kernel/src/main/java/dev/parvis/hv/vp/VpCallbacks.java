package dev.parvis.hv.vp;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.partition.Partition;
import java.util.OptionalLong;

/**
 * A VP's answers to CPUID and port I/O while it runs. Ports the root installed an intercept for end
 * the run (and reach the root as intercept messages); other ports read all-ones and drop writes,
 * like an empty ISA bus.
 */
public final class VpCallbacks implements VpIntercepts {
    private final Partition partition;
    private final CpuidPolicy cpuid;
    private int vpIndex;
    private volatile MsrAccess msrs = new MsrAccess() {
        @Override
        public OptionalLong read(int index) {
            return OptionalLong.empty();
        }

        @Override
        public boolean write(int index, long value) {
            return false;
        }
    };

    /** The synthetic MSRs of one VP (the kernel's hypercall layer implements them over its registers). */
    public interface MsrAccess {
        OptionalLong read(int index);

        boolean write(int index, long value);
    }

    public VpCallbacks(Partition partition, CpuidPolicy cpuid) {
        this.partition = partition;
        this.cpuid = cpuid;
    }

    public void bind(int vpIndex) {
        this.vpIndex = vpIndex;
    }

    /** Connects RDMSR/WRMSR to the VP's synthetic registers once the VP exists. */
    public void bindMsrs(MsrAccess msrs) {
        this.msrs = msrs;
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

    /** A kernel failure behind an MSR becomes #GP for the guest, never an exception in the engine. */
    @Override
    public OptionalLong readMsr(int index) {
        try {
            return msrs.read(index);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public boolean writeMsr(int index, long value) {
        try {
            return msrs.write(index, value);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
