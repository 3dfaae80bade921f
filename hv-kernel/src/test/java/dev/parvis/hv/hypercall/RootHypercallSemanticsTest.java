package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.GpaAccessResult;
import dev.parvis.hv.memory.PoolStatistics;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootPageView;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The root's partition, memory and VP calls, issued through the same binary gateway a guest uses. */
class RootHypercallSemanticsTest {
    private final KernelRig rig = new KernelRig();

    @AfterEach
    void close() {
        rig.close();
    }

    private static HvStatus statusOf(Runnable call) {
        return assertThrows(HypercallFailedException.class, call::run).status();
    }

    @Test
    void lifecycleStepsNeedDepositedMemoryAndTheRightOrder() {
        long id = rig.hc.createPartition(0);
        assertEquals(HvStatus.INSUFFICIENT_MEMORY, statusOf(() -> rig.hc.initializePartition(id)));
        assertEquals(HvStatus.INVALID_PARTITION_STATE, statusOf(() -> rig.hc.finalizePartition(id)));
        rig.hc.depositMemory(id, rig.hv.rootMemory().allocate(HvConstants.DEPOSIT_PAGES_PER_PARTITION - 1));
        assertEquals(HvStatus.INSUFFICIENT_MEMORY, statusOf(() -> rig.hc.initializePartition(id)));
        rig.hc.depositMemory(id, rig.hv.rootMemory().allocate(1));
        rig.hc.initializePartition(id);
        assertEquals(HvStatus.INVALID_PARTITION_STATE, statusOf(() -> rig.hc.initializePartition(id)));
        rig.hc.depositMemory(id, rig.hv.rootMemory().allocate(HvConstants.DEPOSIT_PAGES_PER_VP - 1));
        assertEquals(HvStatus.INSUFFICIENT_MEMORY, statusOf(() -> rig.hc.createVp(id, 0)), "a VP needs its own deposit");
        rig.hc.depositMemory(id, rig.hv.rootMemory().allocate(1));
        rig.hc.createVp(id, 0);
        assertEquals(HvStatus.INVALID_VP_INDEX, statusOf(() -> rig.hc.createVp(id, 0)));
        assertEquals(HvStatus.INVALID_VP_INDEX, statusOf(() -> rig.hc.createVp(id, 64)));
        rig.hc.finalizePartition(id);
        rig.hc.deletePartition(id);
        assertEquals(HvStatus.INVALID_PARTITION_ID, statusOf(() -> rig.hc.deletePartition(id)));
    }

    @Test
    void deletingAndWithdrawingReturnsEveryPageToTheRoot() {
        PoolStatistics before = rig.hv.pool().statistics();
        long id = rig.initializedChild();
        long[] ram = rig.hv.rootMemory().allocate(16);
        rig.hc.mapGpaPages(id, 0x10, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, ram);
        assertEquals(16, rig.hv.pool().statistics().guest());
        rig.hc.deletePartition(id);
        long[] back = rig.hc.withdrawMemory(id, 10);
        assertEquals(KernelRig.CHILD_DEPOSIT, back.length);
        rig.hv.rootMemory().free(back);
        rig.hv.rootMemory().free(ram);
        assertEquals(before, rig.hv.pool().statistics());
    }

    @Test
    void aPageAlreadyGivenToOneChildCannotBeMappedIntoAnother() {
        long a = rig.initializedChild();
        long b = rig.initializedChild();
        long[] page = rig.hv.rootMemory().allocate(1);
        rig.hc.mapGpaPages(a, 0x10, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, page);
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> rig.hc.mapGpaPages(b, 0x10, HvMapGpaFlags.READABLE, page)));
        assertEquals(HvStatus.INVALID_PARAMETER,
                statusOf(() -> rig.hc.mapGpaPages(b, 0x11, HvMapGpaFlags.READABLE, new long[] {rig.hv.pool().pageCount()})),
                "a page outside the pool");
        assertEquals(0, rig.hv.partitions().get(b).gpaMap().mappedPages());
    }

    @Test
    void mappingAPageIntoAChildRevokesTheRootsView() {
        long id = rig.initializedChild();
        long[] page = rig.hv.rootMemory().allocate(1);
        RootPageView view = rig.hv.rootMemory().view(page);
        view.page(0).set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
        rig.hc.mapGpaPages(id, 0x10, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, page);
        assertTrue(view.isRevoked());
        assertThrows(IllegalStateException.class, () -> view.page(0).get(ValueLayout.JAVA_LONG, 0));
        assertArrayEquals(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55}, rig.hc.readGpa(id, 0x10_000, 4), "the data moved with the page");
    }

    @Test
    void readAndWriteGpaFollowTheChildsRights() {
        long id = rig.initializedChild();
        rig.hc.mapGpaPages(id, 0x10, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, rig.hv.rootMemory().allocate(1));
        rig.hc.mapGpaPages(id, 0x11, HvMapGpaFlags.READABLE, rig.hv.rootMemory().allocate(1));
        assertEquals(GpaAccessResult.SUCCESS, rig.hc.writeGpa(id, 0x10_ff8, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, rig.hc.readGpa(id, 0x10_ff8, 8));
        assertEquals(GpaAccessResult.WRITE_INTERCEPT, rig.hc.writeGpa(id, 0x11_000, new byte[] {1}));
        assertEquals(GpaAccessResult.UNMAPPED, rig.hc.writeGpa(id, 0x12_000, new byte[] {1}));
        assertEquals(HvStatus.INVALID_PARAMETER, statusOf(() -> rig.hc.readGpa(id, 0x10_ff8, 16)), "crosses a page");
    }

    @Test
    void unknownCallsAndReservedBitsFromTheRootAreRejectedToo() {
        var in = java.lang.foreign.Arena.ofAuto().allocate(4096);
        var out = java.lang.foreign.Arena.ofAuto().allocate(4096);
        var gateway = rig.hv.gateway();
        assertEquals(HvStatus.INVALID_HYPERCALL_CODE,
                gateway.call(dev.parvis.abi.hv.HypercallControl.decode(0x7777), in, out).status());
        assertEquals(HvStatus.INVALID_HYPERCALL_INPUT,
                gateway.call(dev.parvis.abi.hv.HypercallControl.rep(HvCallCode.CREATE_PARTITION, 1), in, out).status(),
                "a simple call with a rep count");
    }

    /** The fuzz cannot tell this check from a later layer's refusal (INVALID_PARAMETER); this pins which one answers. */
    @Test
    void aCallWhoseInputOrOutputExceedsAPageIsInvalidInput() {
        var in = java.lang.foreign.Arena.ofAuto().allocate(4096);
        var out = java.lang.foreign.Arena.ofAuto().allocate(4096);
        var gateway = rig.hv.gateway();
        // TLFS: a call's input and output each fit in one page; GetVpRegisters takes 4 bytes and gives 16 per rep.
        assertEquals(HvStatus.INVALID_HYPERCALL_INPUT,
                gateway.call(dev.parvis.abi.hv.HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, 300), in, out).status(),
                "300 reps: 4,800 bytes of output");
        assertEquals(HvStatus.INVALID_HYPERCALL_INPUT,
                gateway.call(dev.parvis.abi.hv.HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, 1100), in, out).status(),
                "1,100 reps: 4,416 bytes of input");
    }
}
