package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.VpIntercepts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUID table a VP's guest sees. KVM has no CPUID exit: the answers are fixed up front with
 * KVM_SET_CPUID2, from the kernel's CPUID callback, for every leaf the callback reports (basic,
 * hypervisor 0x40000000.., extended 0x80000000..). So a CPUID intercept to the root cannot exist on
 * this backend (see BackendCapability). One backend need is enforced: leaf 0x80000008 must report at
 * least 37 physical address bits, or KVM would treat the backend's pages above the guest's 64 GiB as
 * beyond the processor's reach.
 */
final class KvmCpuid {
    private static final int PHYSICAL_BITS = 39;
    private static final int LINEAR_BITS = 48;
    private static final int MAX_LEAVES_PER_RANGE = 32;

    private KvmCpuid() {}

    record Leaf(int function, CpuidResult result) {}

    /** The leaves to install, as the callback answers them (plus the address-size leaf). */
    static List<Leaf> leaves(VpIntercepts intercepts) {
        List<Leaf> leaves = new ArrayList<>();
        range(intercepts, 0, leaves, 0);
        range(intercepts, 0x4000_0000, leaves, 0);
        range(intercepts, 0x8000_0000, leaves, 0x8000_0008);
        for (int i = 0; i < leaves.size(); i++) {
            Leaf l = leaves.get(i);
            if (l.function() == 0x8000_0008 && (l.result().eax() & 0xFF) < 37) {
                CpuidResult r = l.result();
                leaves.set(i, new Leaf(l.function(), new CpuidResult(PHYSICAL_BITS | (LINEAR_BITS << 8), r.ebx(), r.ecx(), r.edx())));
            }
        }
        return leaves;
    }

    private static void range(VpIntercepts intercepts, int base, List<Leaf> into, int atLeast) {
        CpuidResult head = intercepts.cpuid(base, 0);
        int max = Integer.compareUnsigned(head.eax(), atLeast) < 0 ? atLeast : head.eax();
        if (base != 0 && Integer.compareUnsigned(max, base) < 0) {
            return;
        }
        int last = Math.min(max - base, MAX_LEAVES_PER_RANGE - 1) + base;
        into.add(new Leaf(base, base == 0x8000_0000 ? new CpuidResult(max, head.ebx(), head.ecx(), head.edx()) : head));
        for (int f = base + 1; Integer.compareUnsigned(f, last) <= 0; f++) {
            into.add(new Leaf(f, intercepts.cpuid(f, 0)));
        }
    }

    static void install(KvmVcpu vcpu, List<Leaf> leaves) {
        long entry = KvmAbi.CPUID_ENTRY.byteSize();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment table = a.allocate(KvmAbi.CPUID2.byteSize() + entry * leaves.size(), 8);
            table.set(ValueLayout.JAVA_INT, 0, leaves.size());
            for (int i = 0; i < leaves.size(); i++) {
                MemorySegment e = table.asSlice(KvmAbi.CPUID2.byteSize() + entry * i, entry);
                CpuidResult r = leaves.get(i).result();
                e.set(ValueLayout.JAVA_INT, 0, leaves.get(i).function());
                e.set(ValueLayout.JAVA_INT, KvmAbi.offset(KvmAbi.CPUID_ENTRY, "eax"), r.eax());
                e.set(ValueLayout.JAVA_INT, KvmAbi.offset(KvmAbi.CPUID_ENTRY, "ebx"), r.ebx());
                e.set(ValueLayout.JAVA_INT, KvmAbi.offset(KvmAbi.CPUID_ENTRY, "ecx"), r.ecx());
                e.set(ValueLayout.JAVA_INT, KvmAbi.offset(KvmAbi.CPUID_ENTRY, "edx"), r.edx());
            }
            Libc.ioctl(vcpu.vcpuFd(), KvmAbi.SET_CPUID2, table, "KVM_SET_CPUID2");
        }
    }
}
