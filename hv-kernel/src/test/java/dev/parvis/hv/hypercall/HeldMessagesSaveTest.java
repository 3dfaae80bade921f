package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootPageView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Messages the hypervisor queued behind a VP's busy SIM slot live in no page, so a save that took
 * only the SIM and SIEF pages would lose them (the sender, the root's VMBus server say, counted them
 * as delivered). VP state TYPE_PARVIS_PENDING_MESSAGES carries them: restored behind the restored
 * SIM page, the guest takes every one of them, in order, once.
 */
class HeldMessagesSaveTest {
    private static final long SIM_GPN = 0x10;
    private static final int SINT = 2;
    private static final int PORT = 0x31;
    private static final int CONNECTION = 0x41;
    private static final int MESSAGES = 7;

    private final KernelRig rig = new KernelRig();
    private int nextConnection = CONNECTION;

    @AfterEach
    void close() {
        rig.close();
    }

    /** A child with VP 0, its SIM page at SIM_GPN, SINT 2 unmasked in polling mode and a root connection to it. */
    private int[] child() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, SIM_GPN, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, rig.hv.rootMemory().allocate(2));
        rig.hc.createVp(id, 0);
        rig.hc.setVpRegister(id, 0, HvRegisterName.SIMP, (SIM_GPN << 12) | 1);
        rig.hc.setVpRegister(id, 0, new HvRegisterName(HvRegisterName.SINT0.raw() + SINT), 0x20 | HvSynic.SINT_POLLING);
        long root = rig.hc.getPartitionId();
        int connection = nextConnection++;
        rig.hc.createPort(id, PORT, root, new PortInfo(HvPortType.MESSAGE, SINT, 0, (short) 0, (short) 0));
        rig.hc.connectPort(root, connection, id, PORT, HvPortType.MESSAGE);
        return new int[] {(int) id, connection};
    }

    /** What the guest takes from the slot, as it would: copy, clear the type, EOM; until the slot stays empty. */
    private List<Integer> drain(long id) {
        long slot = (SIM_GPN << 12) + SINT * 256L;
        List<Integer> seen = new ArrayList<>();
        while (rig.hc.readGpa(id, slot, 4)[0] != 0) {
            seen.add((int) rig.hc.readGpa(id, slot + 16, 1)[0]);
            rig.hc.writeGpa(id, slot, new byte[4]);
            rig.hc.setVpRegister(id, 0, HvRegisterName.EOM, 0);
        }
        return seen;
    }

    private byte[] get(long id, int type, long[] pages) {
        rig.hc.getVpState(id, 0, type, pages);
        byte[] out = new byte[pages.length * 4096];
        try (RootPageView view = rig.hv.rootMemory().view(pages)) {
            for (int i = 0; i < pages.length; i++) {
                view.page(i).asByteBuffer().get(out, i * 4096, 4096);
            }
        }
        return out;
    }

    private void set(long id, int type, long[] pages, byte[] contents) {
        try (RootPageView view = rig.hv.rootMemory().view(pages)) {
            view.write(0, contents, 0, contents.length);
        }
        rig.hc.setVpState(id, 0, type, pages);
    }

    private static HvStatus statusOf(Runnable call) {
        return assertThrows(HypercallFailedException.class, call::run).status();
    }

    @Test
    void messagesQueuedBehindABusySlotAreSavedAndRestoredInOrderNoneLostNoneRepeated() {
        int[] saved = child();
        for (int seq = 0; seq < MESSAGES; seq++) {
            assertEquals(HvStatus.SUCCESS, rig.hc.postMessage(saved[1], new HvMessageType(1), new byte[] {(byte) seq}));
        }
        long[] pages = rig.hv.rootMemory().allocate(2);
        byte[] sim = get(saved[0], VpStateHeader.TYPE_SIM_PAGE, new long[] {pages[0]});
        byte[] held = get(saved[0], VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, pages);
        assertEquals(MESSAGES - 1, PendingMessages.read(java.lang.foreign.MemorySegment.ofArray(held)).entries().size(),
                "one message in the slot, the rest queued behind it");

        int[] restored = child();
        set(restored[0], VpStateHeader.TYPE_SIM_PAGE, new long[] {pages[0]}, sim);
        set(restored[0], VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, pages, held);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), drain(restored[0]), "the restored VP takes every message once, in order");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), drain(saved[0]), "the original VP still had the same ones: Get copies");
    }

    @Test
    void getWithTooFewPagesSaysHowManyEntriesThereAre() {
        int[] c = child();
        for (int seq = 0; seq < 17; seq++) {
            rig.hc.postMessage(c[1], new HvMessageType(1), new byte[] {(byte) seq});
        }
        // 16 queued behind the slot (the root's whole share) take 16 + 16 * 272 bytes: two pages.
        long[] page = rig.hv.rootMemory().allocate(1);
        assertEquals(HvStatus.INSUFFICIENT_BUFFER,
                statusOf(() -> rig.hc.getVpState(c[0], 0, VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page)));
        try (RootPageView view = rig.hv.rootMemory().view(page)) {
            assertEquals(16, PendingMessages.announcedCount(view.page(0)));
        }
    }

    @Test
    void setRefusesHostileOrLateStateAndQueuesNothingThen() {
        int[] c = child();
        rig.hc.postMessage(c[1], new HvMessageType(1), new byte[] {0});
        rig.hc.postMessage(c[1], new HvMessageType(1), new byte[] {1});
        long[] page = rig.hv.rootMemory().allocate(1);
        byte[] held = get(c[0], VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page);
        assertEquals(HvStatus.INVALID_VP_STATE,
                statusOf(() -> set(c[0], VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page, held)),
                "messages are queued already: the saved ones would come after them");

        int[] other = child();
        byte[] badCount = held.clone();
        badCount[0] = 100; // more entries than the page holds
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> set(other[0], VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page, badCount)));
        byte[] badSint = held.clone();
        badSint[PendingMessages.HEADER_SIZE + 4] = 16;
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> set(other[0], VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page, badSint)));
        assertEquals(HvStatus.INVALID_PARAMETER, statusOf(() -> rig.hc.setVpState(other[0], 0,
                VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, new long[PendingMessages.MAX_PAGES + 1])), "too many pages");
        assertEquals(List.of(), drain(other[0]), "nothing was queued by a refused call");
    }
}
