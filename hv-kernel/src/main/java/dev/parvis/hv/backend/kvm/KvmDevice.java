package dev.parvis.hv.backend.kvm;

/**
 * An open {@code /dev/kvm}: the API version, capabilities and VM creation. Opening checks what this
 * backend cannot work without and reports a missing piece as {@link KvmHostException.Unavailable}.
 */
final class KvmDevice implements AutoCloseable {
    static final String PATH = "/dev/kvm";
    private static final int[] REQUIRED = {KvmAbi.CAP_USER_MEMORY, KvmAbi.CAP_READONLY_MEM, KvmAbi.CAP_IMMEDIATE_EXIT};

    private final int fd;
    private final long vcpuMmapSize;
    private final boolean syncRegs;

    private KvmDevice(int fd) {
        this.fd = fd;
        this.vcpuMmapSize = Libc.ioctl(fd, KvmAbi.GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
        this.syncRegs = (checkExtension(KvmAbi.CAP_SYNC_REGS) & KvmAbi.SYNC_X86_REGS) != 0;
    }

    /** Opens /dev/kvm and checks the API version and the capabilities the backend needs. */
    static KvmDevice open() {
        int fd;
        try {
            fd = Libc.open(PATH, Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (KvmHostException.CallFailed e) {
            throw new KvmHostException.Unavailable("cannot open " + PATH + " (errno " + e.errno() + ")", e);
        }
        try {
            int version = Libc.ioctl(fd, KvmAbi.GET_API_VERSION, 0, "KVM_GET_API_VERSION");
            if (version != KvmAbi.API_VERSION) {
                throw new KvmHostException.Unavailable("KVM API version " + version + ", need " + KvmAbi.API_VERSION, null);
            }
            KvmDevice device = new KvmDevice(fd);
            for (int cap : REQUIRED) {
                if (device.checkExtension(cap) <= 0) {
                    throw new KvmHostException.Unavailable("KVM lacks capability " + cap, null);
                }
            }
            return device;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    int checkExtension(int capability) {
        return Libc.ioctl(fd, KvmAbi.CHECK_EXTENSION, capability, "KVM_CHECK_EXTENSION");
    }

    long vcpuMmapSize() {
        return vcpuMmapSize;
    }

    /** Whether kvm_run carries the general registers (KVM_CAP_SYNC_REGS), saving two ioctls per exit. */
    boolean syncRegs() {
        return syncRegs;
    }

    /** A new VM file descriptor. */
    int createVm() {
        return Libc.ioctl(fd, KvmAbi.CREATE_VM, 0, "KVM_CREATE_VM");
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
