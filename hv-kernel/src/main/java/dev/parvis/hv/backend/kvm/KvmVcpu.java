package dev.parvis.hv.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The KVM objects behind one virtual processor: its own VM (memory slots are per VM, and each VP
 * applies its partition's map itself, as engines do), one vCPU, the mmap'ed {@code kvm_run} and
 * the register caches. General registers travel in {@code kvm_run} (KVM_CAP_SYNC_REGS) where KVM
 * offers it, so an exit costs one ioctl; special registers are fetched only when asked for.
 *
 * <p>Not thread-safe: only the VP's owner calls it, except {@link #run()}'s kick partner {@link KvmKick}.
 */
final class KvmVcpu implements AutoCloseable {
    private final int vmFd;
    private final int vcpuFd;
    private final MemorySegment run;
    private final boolean syncRegs;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment regs;
    private final MemorySegment sregs = arena.allocate(KvmAbi.SREGS);
    private final KvmMemorySlots slots;
    private boolean regsDirty;
    private boolean sregsValid;
    private boolean sregsDirty;

    KvmVcpu(KvmDevice device) {
        this.vmFd = device.createVm();
        try {
            disableHypercallPatching(device);
            this.slots = new KvmMemorySlots(vmFd);
            this.vcpuFd = Libc.ioctl(vmFd, KvmAbi.CREATE_VCPU, 0, "KVM_CREATE_VCPU");
            this.run = Libc.mmap(device.vcpuMmapSize(), vcpuFd, "mmap kvm_run");
        } catch (RuntimeException e) {
            Libc.close(vmFd);
            throw e;
        }
        this.syncRegs = device.syncRegs();
        this.regs = syncRegs ? run.asSlice(KvmAbi.RUN_SYNC_REGS, KvmAbi.REGS.byteSize()) : arena.allocate(KvmAbi.REGS);
        if (syncRegs) {
            run.set(ValueLayout.JAVA_LONG, KvmAbi.RUN_VALID_REGS, KvmAbi.SYNC_X86_REGS);
        }
        Libc.ioctl(vcpuFd, KvmAbi.GET_REGS, regs, "KVM_GET_REGS");
    }

    /**
     * KVM's "fix hypercall instruction" quirk rewrites a guest's VMCALL/VMMCALL in guest memory;
     * nothing may write guest memory behind the kernel's back.
     */
    private void disableHypercallPatching(KvmDevice device) {
        long quirks = device.checkExtension(KvmAbi.CAP_DISABLE_QUIRKS2);
        if ((quirks & KvmAbi.QUIRK_FIX_HYPERCALL_INSN) != 0) {
            enableCap(KvmAbi.CAP_DISABLE_QUIRKS2, KvmAbi.QUIRK_FIX_HYPERCALL_INSN);
        }
    }

    void enableCap(int capability, long arg0) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment args = a.allocate(KvmAbi.ENABLE_CAP_ARGS);
            args.set(ValueLayout.JAVA_INT, 0, capability);
            args.set(ValueLayout.JAVA_LONG, KvmAbi.offset(KvmAbi.ENABLE_CAP_ARGS, "args"), arg0);
            Libc.ioctl(vmFd, KvmAbi.ENABLE_CAP, args, "KVM_ENABLE_CAP " + capability);
        }
    }

    /**
     * RDMSR and WRMSR of the synthetic range exit to user space (KVM_EXIT_X86_RDMSR/WRMSR); every other
     * MSR stays KVM's. For a privileged guest: a deprivileged one cannot execute them at all.
     */
    void trapSyntheticMsrs(int first, int count) {
        enableCap(KvmAbi.CAP_X86_USER_SPACE_MSR, KvmAbi.MSR_EXIT_REASON_FILTER);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment deny = a.allocate(count / 8, 8);
            MemorySegment filter = a.allocate(KvmAbi.MSR_FILTER);
            filter.set(ValueLayout.JAVA_INT, 0, KvmAbi.MSR_FILTER_DEFAULT_ALLOW);
            long range = KvmAbi.offset(KvmAbi.MSR_FILTER, "ranges");
            filter.set(ValueLayout.JAVA_INT, range, KvmAbi.MSR_FILTER_READ | KvmAbi.MSR_FILTER_WRITE);
            filter.set(ValueLayout.JAVA_INT, range + 4, count);
            filter.set(ValueLayout.JAVA_INT, range + 8, first);
            filter.set(ValueLayout.JAVA_LONG, range + 16, deny.address());
            Libc.ioctl(vmFd, KvmAbi.SET_MSR_FILTER, filter, "KVM_X86_SET_MSR_FILTER");
        }
    }

    int vmFd() {
        return vmFd;
    }

    int vcpuFd() {
        return vcpuFd;
    }

    /** The mmap'ed kvm_run: exit reason and exit data. */
    MemorySegment runArea() {
        return run;
    }

    KvmMemorySlots slots() {
        return slots;
    }

    List<KvmMemorySlots.Slot> removeStale(List<dev.parvis.hv.backend.GuestMemoryRegion> regions) {
        return slots.removeStale(regions);
    }

    /**
     * KVM_RUN once; returns 0 or -errno (-EINTR: a kick or immediate_exit). Dirty registers go in
     * first; afterwards the general registers are current and the special ones must be re-read.
     */
    int enter(KvmKick kick) {
        flush();
        int r;
        kick.enter();
        try {
            r = Libc.ioctlErrno(vcpuFd, KvmAbi.RUN, 0);
        } finally {
            kick.leave();
        }
        sregsValid = false;
        if (!syncRegs) {
            Libc.ioctl(vcpuFd, KvmAbi.GET_REGS, regs, "KVM_GET_REGS");
        }
        return r;
    }

    private void flush() {
        if (sregsDirty) {
            Libc.ioctl(vcpuFd, KvmAbi.SET_SREGS, sregs, "KVM_SET_SREGS");
            sregsDirty = false;
        }
        if (regsDirty) {
            if (syncRegs) {
                run.set(ValueLayout.JAVA_LONG, KvmAbi.RUN_DIRTY_REGS, KvmAbi.SYNC_X86_REGS);
            } else {
                Libc.ioctl(vcpuFd, KvmAbi.SET_REGS, regs, "KVM_SET_REGS");
            }
            regsDirty = false;
        }
    }

    int exitReason() {
        return run.get(ValueLayout.JAVA_INT, KvmAbi.RUN_EXIT_REASON);
    }

    /** A general register by its byte offset in struct kvm_regs. */
    long reg(long offset) {
        return regs.get(ValueLayout.JAVA_LONG, offset);
    }

    void setReg(long offset, long value) {
        regs.set(ValueLayout.JAVA_LONG, offset, value);
        regsDirty = true;
    }

    /** struct kvm_sregs, fetched on first use after each run; writes mark it for KVM_SET_SREGS. */
    MemorySegment sregs() {
        if (!sregsValid) {
            Libc.ioctl(vcpuFd, KvmAbi.GET_SREGS, sregs, "KVM_GET_SREGS");
            sregsValid = true;
        }
        return sregs;
    }

    void sregsChanged() {
        sregsDirty = true;
    }

    /** Writes {@code sregs} now (set-up before the first run must reach KVM before KVM_SET_CPUID2 et al.). */
    void flushNow() {
        flush();
    }

    @Override
    public void close() {
        Libc.munmap(run);
        Libc.close(vcpuFd);
        Libc.close(vmFd);
        arena.close();
    }
}
