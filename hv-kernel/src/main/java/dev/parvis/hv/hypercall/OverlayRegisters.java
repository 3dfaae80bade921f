package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.memory.PageStateException;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.hv.partition.Overlays;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.vp.VirtualProcessor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The synthetic registers that lay GPA overlay pages over the guest's RAM (TLFS "GPA Overlay
 * Pages"): HYPERCALL (the partition's hypercall page, read + execute) and each VP's SIMP and SIEFP
 * (its SIM and SIEF pages, read + write, "like RAM"). Enabling lays the hypervisor's own page over
 * the GPA, which must be RAM of the partition not already under another overlay; moving or disabling
 * uncovers the guest's page untouched. Every refusal is a failed register write
 * (HV_STATUS_INVALID_PARAMETER for the call), and nothing changes.
 *
 * <p>Runs where the partition's VP state may be touched (its run thread, see {@code VpCalls}).
 */
final class OverlayRegisters {
    /** SIMP/SIEFP bits 1-11 (TLFS: preserved; Parvis stores none, so a preserving guest writes zeros). */
    private static final long PAGE_REGISTER_RESERVED = 0xFFE;
    /** HYPERCALL bits 2-11 (reserved, must be zero) and bit 1 (locked). */
    private static final long HYPERCALL_RESERVED = 0xFFC;
    private static final long HYPERCALL_LOCKED = 2;
    private static final int SYNIC_PAGE_ACCESS = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;
    private static final int HYPERCALL_PAGE_ACCESS = GuestMemoryRegion.READ | GuestMemoryRegion.EXECUTE;

    private OverlayRegisters() {
    }

    static boolean setSimp(VirtualProcessor vp, long value) {
        if (!placeSynicPage(vp, Overlays.Kind.SIM, vp.simSpn(), value)) {
            return false;
        }
        vp.synic().setSimp(value);
        return true;
    }

    static boolean setSiefp(VirtualProcessor vp, long value) {
        if (!placeSynicPage(vp, Overlays.Kind.SIEF, vp.siefSpn(), value)) {
            return false;
        }
        vp.synic().setSiefp(value);
        return true;
    }

    /** The VP's page keeps its contents while disabled or moved (TLFS: zeroed only when the VP is created). */
    private static boolean placeSynicPage(VirtualProcessor vp, Overlays.Kind kind, long spn, long value) {
        if ((value & PAGE_REGISTER_RESERVED) != 0) {
            return false;
        }
        Overlays.Owner owner = new Overlays.Owner(kind, vp.index());
        if ((value & 1) == 0) {
            vp.partition().overlays().remove(owner);
            return true;
        }
        return vp.partition().overlays().place(owner, value >>> HvConstants.PAGE_SHIFT, spn, SYNIC_PAGE_ACCESS);
    }

    /**
     * HYPERCALL: the partition's hypercall page, a hypervisor page holding {@code image} (the
     * processor backend's code for the published entries), laid read + execute.
     */
    static boolean setHypercall(SpaPool pool, byte[] image, Partition p, long value) throws PageStateException {
        if ((value & HYPERCALL_RESERVED) != 0 || (p.hypercallRegister() & HYPERCALL_LOCKED) != 0) {
            return false;
        }
        if ((value & 1) == 0) {
            releaseHypercallPage(pool, p);
            p.setHypercallRegister(value);
            return true;
        }
        long spn = p.hypercallPageSpn();
        boolean fresh = spn < 0;
        if (fresh) {
            spn = pool.takeDeposited(p.id());
            MemorySegment.copy(image, 0, pool.pages(spn, 1), ValueLayout.JAVA_BYTE, 0, image.length);
        }
        if (!p.overlays().place(Overlays.Owner.HYPERCALL, value >>> HvConstants.PAGE_SHIFT, spn, HYPERCALL_PAGE_ACCESS)) {
            if (fresh) {
                pool.returnToDeposit(spn, p.id());
            }
            return false;
        }
        p.setHypercallPageSpn(spn);
        p.setHypercallRegister(value);
        return true;
    }

    /** Takes the hypercall overlay away and, once no engine maps it, gives its page back to the deposit. */
    static void releaseHypercallPage(SpaPool pool, Partition p) {
        long spn = p.hypercallPageSpn();
        if (spn < 0) {
            return;
        }
        p.overlays().remove(Overlays.Owner.HYPERCALL);
        VpCalls.syncMemory(p);
        p.setHypercallPageSpn(-1);
        try {
            pool.returnToDeposit(spn, p.id());
        } catch (PageStateException e) {
            throw new IllegalStateException(p + ": hypercall page in an unexpected state: " + e.getMessage(), e);
        }
    }
}
