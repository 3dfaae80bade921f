package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.VpEngine;
import java.lang.foreign.ValueLayout;

/**
 * Ways to make KVM itself refuse a VP, for tests of how the kernel contains an engine failure. Call
 * them where the VP's engine may be touched (its partition's runner's {@code execute}).
 */
public final class KvmEngineFaults {
    private KvmEngineFaults() {}

    /**
     * The next KVM_RUN fails (EINVAL): kvm_run asks KVM to sync a register set that does not exist,
     * which KVM rejects before it enters the guest.
     */
    public static void failNextRun(VpEngine engine) {
        vcpu(engine).runArea().set(ValueLayout.JAVA_LONG, KvmAbi.RUN_VALID_REGS, 1L << 62);
    }

    /**
     * The special registers the next entry loads carry a reserved CR4 bit, which KVM_SET_SREGS
     * refuses (EINVAL) before the vCPU can run.
     */
    public static void refuseNextEntryState(VpEngine engine) {
        KvmVcpu vcpu = vcpu(engine);
        long cr4 = KvmRegisters.off("cr4");
        vcpu.sregs().set(ValueLayout.JAVA_LONG, cr4, vcpu.sregs().get(ValueLayout.JAVA_LONG, cr4) | (1L << 63));
        vcpu.sregsChanged();
    }

    private static KvmVcpu vcpu(VpEngine engine) {
        if (!(engine instanceof KvmEngine kvm)) {
            throw new IllegalArgumentException("not a KVM engine: " + engine);
        }
        return kvm.vcpu();
    }
}
