package dev.parvis.abi.hv;

import dev.parvis.abi.boot.BootProtocol;
import java.util.Arrays;

/** Special ids, the page size and the hypercall page image, reference sections 1.5 and "Conventions". */
public final class HvConstants {
    public static final long PARTITION_ID_SELF = -1L;
    public static final int VP_INDEX_SELF = 0xFFFF_FFFE;
    public static final int VP_INDEX_ANY = 0xFFFF_FFFF;
    /** The hypervisor page is always 4 KiB, whatever the guest's page size is. */
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;

    /** VMCALL; the guest reaches it through the hypercall page. Treat as read-only. */
    public static final byte[] VMCALL = {0x0F, 0x01, (byte) 0xC1};
    /** Offset 0 of the hypercall page: {@code vmcall; ret}. Treat as read-only. */
    public static final byte[] HYPERCALL_PAGE_CODE = {0x0F, 0x01, (byte) 0xC1, (byte) 0xC3};
    /** Filler of the rest of the hypercall page: INT3 traps a stray jump. */
    public static final byte HYPERCALL_PAGE_FILLER = (byte) 0xCC;
    /** VTL call and VTL return entry points of the page (reference section 1.5). */
    public static final int HYPERCALL_PAGE_VTL_CALL32 = 0x04;
    public static final int HYPERCALL_PAGE_VTL_CALL64 = 0x0F;
    public static final int HYPERCALL_PAGE_VTL_RETURN32 = 0x1B;
    public static final int HYPERCALL_PAGE_VTL_RETURN64 = 0x26;

    /**
     * Parvis's deposit rule (as Hyper-V's, the root learns it from the hypervisor, here as constants):
     * pages a partition needs deposited before InitializePartition (its control page and the
     * hypercall overlay page), and pages each CreateVp needs on top (the VP's state page and its SIM
     * and SIEF overlay pages).
     */
    public static final int DEPOSIT_PAGES_PER_PARTITION = 2;
    /**
     * The most VPs a Parvis partition has (VP indexes 0-63): the kernel's VP table, CreateVp and the
     * SynIC's target-VP checks, and every saved state (the VM's file and the VMBus state in it) are
     * bounded by this one number.
     */
    public static final int MAX_VPS_PER_PARTITION = 64;
    public static final int DEPOSIT_PAGES_PER_VP = 3;

    private HvConstants() {
    }

    /**
     * The 4096-byte hypercall page with instructions: the TLFS part as OpenVMM writes it, using
     * VMCALL, and the Parvis entries ({@link BootProtocol#HYPERCALL_PAGE_HALT} ...) as HLT and OUT.
     */
    public static byte[] hypercallPageImage() {
        byte[] page = new byte[PAGE_SIZE];
        Arrays.fill(page, HYPERCALL_PAGE_FILLER);
        int at = put(page, 0, HYPERCALL_PAGE_CODE);
        at = putVtlEntry(page, at, false, 0x11);
        at = putVtlEntry(page, at, true, 0x11);
        at = putVtlEntry(page, at, false, 0x12);
        putVtlEntry(page, at, true, 0x12);
        put(page, BootProtocol.HYPERCALL_PAGE_HALT, new byte[] {(byte) 0xF4, (byte) 0xC3});
        put(page, BootProtocol.HYPERCALL_PAGE_OUTB, new byte[] {(byte) 0xEE, (byte) 0xC3});
        put(page, BootProtocol.HYPERCALL_PAGE_OUTL, new byte[] {(byte) 0xEF, (byte) 0xC3});
        put(page, BootProtocol.HYPERCALL_PAGE_OUTW, new byte[] {0x66, (byte) 0xEF, (byte) 0xC3});
        return page;
    }

    /** 32-bit form {@code mov ecx, eax; mov eax, code}; 64-bit form {@code mov rax, rcx; mov ecx, code}. */
    private static int putVtlEntry(byte[] page, int at, boolean wide, int code) {
        byte[] prologue = wide
                ? new byte[] {0x48, (byte) 0x89, (byte) 0xC8, (byte) 0xB9, (byte) code, 0, 0, 0}
                : new byte[] {(byte) 0x89, (byte) 0xC1, (byte) 0xB8, (byte) code, 0, 0, 0};
        return put(page, put(page, at, prologue), HYPERCALL_PAGE_CODE);
    }

    private static int put(byte[] page, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, page, at, bytes.length);
        return at + bytes.length;
    }
}
