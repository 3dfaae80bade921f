package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPartitionProperty;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.input.GpaAccessResult;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.memory.PageState;
import dev.parvis.hv.memory.PoolStatistics;
import dev.parvis.hv.partition.Partition;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootPageView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIMP, SIEFP and HYPERCALL lay the hypervisor's own pages over the guest's RAM as the TLFS defines
 * GPA overlay pages: the guest (and HvCallReadGpa/WriteGpa, which access memory as the VP would) sees
 * the overlay with the overlay's rights, the RAM beneath is never written and comes back when the
 * overlay moves, grants reach RAM only, and overlay pages are deposited pages the partition gives back.
 */
class OverlayPagesTest {
    private static final int RW = HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE;
    private static final long RAM_GPN = 0x10;
    private static final int RAM_PAGES = 8;
    /** A read-only page, like the boot information page. */
    private static final long READ_ONLY_GPN = 0x18;
    private static final int SINT = 1;
    private static final int PORT = 0x77;
    private static final int CONNECTION = 0x99;

    private final KernelRig rig = new KernelRig();
    private final PoolStatistics initial = rig.hv.pool().statistics();
    private long[] ram;

    @AfterEach
    void close() {
        rig.close();
    }

    private static HvStatus statusOf(Runnable call) {
        return assertThrows(HypercallFailedException.class, call::run).status();
    }

    /** A child with patterned RAM at 0x10-0x17 (read-write) and 0x18 (read-only), and VP 0 (never run). */
    private long child() {
        long id = rig.initializedChild();
        ram = rig.hv.rootMemory().allocate(RAM_PAGES + 1);
        try (RootPageView view = rig.hv.rootMemory().view(ram)) {
            for (int i = 0; i < ram.length; i++) {
                view.page(i).fill((byte) (0x40 + i));
            }
        }
        rig.hc.mapGpaPages(id, RAM_GPN, RW, Arrays.copyOf(ram, RAM_PAGES));
        rig.hc.mapGpaPages(id, READ_ONLY_GPN, HvMapGpaFlags.READABLE, new long[] {ram[RAM_PAGES]});
        rig.hc.createVp(id, 0);
        return id;
    }

    private byte[] ramBytes(long id, long gpn) {
        return rig.hv.pool().pages(partition(id).gpaMap().spn(gpn), 1).toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] pattern(long gpn) {
        byte[] b = new byte[4096];
        Arrays.fill(b, (byte) (0x40 + gpn - RAM_GPN));
        return b;
    }

    private Partition partition(long id) {
        return rig.hv.partitions().get(id);
    }

    /** A root port on the child's SINT 1, unmasked in polling mode; returns the root's connection id. */
    private int rootConnection(long id) {
        long root = rig.hc.getPartitionId();
        rig.hc.createPort(id, PORT, root, new PortInfo(HvPortType.MESSAGE, SINT, 0, (short) 0, (short) 0));
        rig.hc.connectPort(root, CONNECTION, id, PORT, HvPortType.MESSAGE);
        rig.hc.setVpRegister(id, 0, new HvRegisterName(HvRegisterName.SINT0.raw() + SINT), 0x20 | HvSynic.SINT_POLLING);
        return CONNECTION;
    }

    private MemorySegment regionAt(long id, long gpa) {
        for (GuestMemoryRegion r : partition(id).gpaMap().regions()) {
            if (r.gpa() <= gpa && gpa < r.end()) {
                return r.host().asSlice(gpa - r.gpa(), 4096);
            }
        }
        return null;
    }

    @Test
    void aSimpOverAReadOnlyPageTakesTheRootsMessageWhileThePageBeneathStaysUntouched() {
        long id = child();
        byte[] beneath = ramBytes(id, READ_ONLY_GPN);
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, (READ_ONLY_GPN << 12) | 1);
        assertEquals(HvStatus.SUCCESS, rig.hc.postMessage(rootConnection(id), new HvMessageType(1), new byte[] {5, 6, 7}));

        long slot = (READ_ONLY_GPN << 12) + SINT * 256L;
        assertArrayEquals(new byte[] {1, 0, 0, 0, 3}, rig.hc.readGpa(id, slot, 5), "the message is in the overlay the guest sees");
        assertArrayEquals(beneath, ramBytes(id, READ_ONLY_GPN), "the read-only page beneath was not written");
        MemorySegment mapped = regionAt(id, READ_ONLY_GPN << 12);
        assertEquals(rig.hv.pool().pages(rig.vp(id).simSpn(), 1).address(), mapped.address(), "engines map the SIM page there");
        assertEquals(GuestMemoryRegion.READ | GuestMemoryRegion.WRITE, partition(id).gpaMap().guestAccess(READ_ONLY_GPN),
                "the overlay's rights, not the read-only page's");
        assertEquals(GpaAccessResult.SUCCESS, rig.hc.writeGpa(id, slot, new byte[] {0, 0, 0, 0}), "the guest frees the slot");

        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, 0);
        assertArrayEquals(Arrays.copyOf(pattern(READ_ONLY_GPN), 16), rig.hc.readGpa(id, READ_ONLY_GPN << 12, 16), "the page is back");
        assertArrayEquals(beneath, ramBytes(id, READ_ONLY_GPN));
    }

    @Test
    void theHypercallPageIsReadAndExecuteOverAnyRamPageAndNeverItsContents() {
        long id = child();
        byte[] beneath = ramBytes(id, READ_ONLY_GPN);
        rig.hc.setVpRegister(id, 0, HvRegisterName.HYPERCALL, (READ_ONLY_GPN << 12) | 1);
        assertArrayEquals(Arrays.copyOf(rig.hv.backend().hypercallPageImage(), 16), rig.hc.readGpa(id, READ_ONLY_GPN << 12, 16),
                "the backend's hypercall code");
        assertEquals(GpaAccessResult.ILLEGAL_OVERLAY, rig.hc.writeGpa(id, READ_ONLY_GPN << 12, new byte[] {1}));
        assertEquals(GuestMemoryRegion.READ | GuestMemoryRegion.EXECUTE, partition(id).gpaMap().guestAccess(READ_ONLY_GPN));
        assertEquals(PageState.HYPERVISOR, rig.hv.pool().state(partition(id).hypercallPageSpn()));
        assertArrayEquals(beneath, ramBytes(id, READ_ONLY_GPN), "the page beneath was neither written nor remapped");
        assertEquals(HvMapGpaFlags.READABLE, partition(id).gpaMap().access(READ_ONLY_GPN), "its own rights are unchanged");

        rig.hc.setVpRegister(id, 0, HvRegisterName.HYPERCALL, (RAM_GPN << 12) | 1);
        assertArrayEquals(Arrays.copyOf(pattern(READ_ONLY_GPN), 4), rig.hc.readGpa(id, READ_ONLY_GPN << 12, 4), "moved away");
        assertArrayEquals(Arrays.copyOf(rig.hv.backend().hypercallPageImage(), 16), rig.hc.readGpa(id, RAM_GPN << 12, 16));
        long spn = partition(id).hypercallPageSpn();
        rig.hc.setVpRegister(id, 0, HvRegisterName.HYPERCALL, 0);
        assertEquals(PageState.DEPOSITED, rig.hv.pool().state(spn), "disabled: its page is back in the deposit");
        assertArrayEquals(Arrays.copyOf(pattern(RAM_GPN), 4), rig.hc.readGpa(id, RAM_GPN << 12, 4));
    }

    @Test
    void overlaysOutsideRamOverAnotherOverlayOrWithReservedBitsAreRefused() {
        long id = child();
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, (RAM_GPN << 12) | 1);
        rig.hc.setVpRegister(id, 0, HvRegisterName.HYPERCALL, ((RAM_GPN + 1) << 12) | 1);
        assertEquals(HvStatus.INVALID_PARAMETER, statusOf(() -> rig.hc.setVpRegister(id, 0, HvRegisterName.SIEFP, 0x5000 | 1)),
                "no RAM there");
        assertEquals(HvStatus.INVALID_PARAMETER, statusOf(() -> rig.hc.setVpRegister(id, 0, HvRegisterName.SIEFP, (1L << 40) | 1)),
                "beyond the GPA space");
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> rig.hc.setVpRegister(id, 0, HvRegisterName.SIEFP, ((RAM_GPN + 2) << 12) | 0x10 | 1)), "reserved bits");
        assertEquals(HvStatus.INVALID_PARAMETER, statusOf(() -> rig.hc.setVpRegister(id, 0, HvRegisterName.SIEFP, (RAM_GPN << 12) | 1)),
                "the SIM page is there");
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, ((RAM_GPN + 1) << 12) | 1)), "the hypercall page is there");
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> rig.hc.setVpRegister(id, 0, HvRegisterName.HYPERCALL, (RAM_GPN << 12) | 1)), "the SIM page is there");
        assertEquals((RAM_GPN << 12) | 1, rig.hc.getVpRegister(id, 0, HvRegisterName.SIMP), "a refused write changes nothing");
        assertEquals(0, rig.hc.getVpRegister(id, 0, HvRegisterName.SIEFP));
        assertEquals(2, partition(id).overlays().count());
    }

    @Test
    void grantsReachTheRamBeneathAnOverlayNeverTheOverlay() {
        long id = child();
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIEFP, (RAM_GPN << 12) | 1);
        assertThrows(GrantRefusedException.class, () -> rig.hv.grants().open(id, new long[] {RAM_GPN}),
                "a GPADL cannot be built on a page the guest sees as its SIEF page");
        rig.hc.setPartitionProperty(id, HvPartitionProperty.SUSPEND, 1);
        try (GuestMemoryView snapshot = rig.hv.grants().openSnapshot(id, new long[] {RAM_GPN})) {
            assertArrayEquals(pattern(RAM_GPN), snapshot.page(0).toArray(ValueLayout.JAVA_BYTE), "a snapshot saves the guest's own page");
        }
    }

    @Test
    void overlayPagesAreDepositedPagesAndAllComeBackWhenThePartitionIsDeleted() {
        long id = child();
        rig.hc.depositMemory(id, rig.hv.rootMemory().allocate(HvConstants.DEPOSIT_PAGES_PER_VP));
        rig.hc.createVp(id, 1);
        rig.hc.setVpRegister(id, 0, HvRegisterName.HYPERCALL, (RAM_GPN << 12) | 1);
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, ((RAM_GPN + 1) << 12) | 1);
        rig.hc.setVpRegister(id, 1, HvRegisterName.SIMP, ((RAM_GPN + 2) << 12) | 1);
        long[] hypervisorPages = partition(id).hypervisorPages();
        assertEquals(5, hypervisorPages.length, "a SIM and a SIEF page per VP, one hypercall page");
        for (long spn : hypervisorPages) {
            assertEquals(PageState.HYPERVISOR, rig.hv.pool().state(spn));
            assertEquals(id, rig.hv.pool().holder(spn));
        }
        assertEquals(HvStatus.NO_RESOURCES, statusOf(() -> rig.hc.withdrawMemory(id, 1)), "nothing spare: the overlay pages are in use");

        rig.hc.deletePartition(id);
        for (long spn : hypervisorPages) {
            assertEquals(PageState.DEPOSITED, rig.hv.pool().state(spn), "back in the deposit, scrubbed");
        }
        rig.hv.rootMemory().free(rig.hc.withdrawAllMemory(id));
        rig.hv.rootMemory().free(ram);
        assertEquals(initial, rig.hv.pool().statistics(), "every page is back in the root");
        assertEquals(null, rig.hv.partitions().get(id), "the partition slot is gone");
    }

    @Test
    void simAndSiefPagesTravelThroughGetAndSetVpStateAndOutliveADisable() {
        long id = child();
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, (RAM_GPN << 12) | 1);
        rig.hc.postMessage(rootConnection(id), new HvMessageType(1), new byte[] {42});
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, 0);
        long[] page = rig.hv.rootMemory().allocate(1);
        rig.hc.getVpState(id, 0, VpStateHeader.TYPE_SIM_PAGE, page[0]);
        byte[] saved;
        try (RootPageView view = rig.hv.rootMemory().view(page)) {
            saved = view.page(0).toArray(ValueLayout.JAVA_BYTE);
        }
        assertEquals(1, saved[SINT * 256], "the message stays in the SIM page while the SIMP is disabled");
        assertEquals(42, saved[SINT * 256 + 16]);

        long other = child();
        rig.hc.setVpState(other, 0, VpStateHeader.TYPE_SIM_PAGE, page[0]);
        rig.hc.setVpRegister(other, 0, HvRegisterName.SIMP, ((RAM_GPN + 3) << 12) | 1);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1}, rig.hc.readGpa(other, ((RAM_GPN + 3) << 12) + SINT * 256L, 5),
                "restored into another VP's SIM page");
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> rig.hc.getVpState(id, 0, VpStateHeader.TYPE_SIEF_PAGE, partition(id).gpaMap().spn(RAM_GPN))),
                "the PFN must be a page the root holds, not a guest's");
        assertEquals(HvStatus.INVALID_VP_INDEX, statusOf(() -> rig.hc.getVpState(id, 5, VpStateHeader.TYPE_SIM_PAGE, page[0])));
        assertTrue(rig.hv.pool().contains(page[0]));
    }
}
