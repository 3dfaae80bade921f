package dev.parvis.devices.storvsp.protocol;

/** The NTSTATUS a vstor_packet carries back to the guest (hyperv-abi-vmbus.md 10.2). */
public record NtStatus(int raw) {
    public static final NtStatus SUCCESS = new NtStatus(0);
    public static final NtStatus DEVICE_BUSY = new NtStatus(0x80000011);
    public static final NtStatus UNSUCCESSFUL = new NtStatus(0xC0000001);
    public static final NtStatus INVALID_PARAMETER = new NtStatus(0xC000000D);
    public static final NtStatus INVALID_DEVICE_REQUEST = new NtStatus(0xC0000010);
    public static final NtStatus REVISION_MISMATCH = new NtStatus(0xC0000059);
    public static final NtStatus INVALID_DEVICE_STATE = new NtStatus(0xC0000184);
    public static final NtStatus IO_DEVICE_ERROR = new NtStatus(0xC0000185);

    @Override
    public String toString() {
        return "NTSTATUS 0x%08x".formatted(raw);
    }
}
