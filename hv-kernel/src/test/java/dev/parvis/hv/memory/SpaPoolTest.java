package dev.parvis.hv.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.vmcore.InsufficientMemoryException;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpaPoolTest {
    private final SpaPool pool = new SpaPool(64 * 4096);

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void rootAllocationIsContiguousAndZeroed() {
        long[] pages = pool.allocateRoot(8);
        for (int i = 1; i < pages.length; i++) {
            assertEquals(pages[0] + i, pages[i]);
        }
        assertEquals(0, pool.pages(pages[0], 8).get(ValueLayout.JAVA_LONG, 4096 * 7 + 8));
        assertEquals(56, pool.statistics().rootFree());
    }

    @Test
    void pagesTheRootWroteAndFreedAreZeroWhenAllocatedAgainContiguousOrScattered() throws Exception {
        long[] all = pool.allocateRoot(64);
        pool.pages(0, 64).fill((byte) 0x5A);
        // Free every other page, then all: the next allocations get a scattered set and a contiguous run.
        long[] odd = java.util.stream.LongStream.range(0, 64).filter(p -> p % 2 == 1).toArray();
        long[] even = java.util.stream.LongStream.range(0, 64).filter(p -> p % 2 == 0).toArray();
        pool.freeRoot(odd);
        long[] scattered = pool.allocateRoot(32);
        for (long spn : scattered) {
            assertEquals(-1, pool.pages(spn, 1).asByteBuffer().mismatch(java.nio.ByteBuffer.allocate(4096)), "page " + spn);
        }
        pool.freeRoot(scattered);
        pool.freeRoot(even);
        long[] run = pool.allocateRoot(64);
        assertEquals(64, run.length);
        for (long spn : run) {
            assertEquals(-1, pool.pages(spn, 1).asByteBuffer().mismatch(java.nio.ByteBuffer.allocate(4096)), "page " + spn);
        }
        assertEquals(64, all.length);
    }

    @Test
    void exhaustionIsAnErrorNotAPartialAllocation() {
        pool.allocateRoot(60);
        assertThrows(InsufficientMemoryException.class, () -> pool.allocateRoot(5));
        assertEquals(4, pool.statistics().rootFree());
    }

    @Test
    void aGuestPageCannotBeGivenToASecondPartition() throws Exception {
        long[] pages = pool.allocateRoot(1);
        pool.assignToGuest(pages, 7);
        assertThrows(PageStateException.class, () -> pool.assignToGuest(pages, 8));
        assertThrows(PageStateException.class, () -> pool.deposit(pages, 8));
        assertEquals(PageState.GUEST, pool.state(pages[0]));
        assertEquals(7, pool.holder(pages[0]));
    }

    @Test
    void releasedGuestPagesAreScrubbedBeforeTheRootSeesThem() throws Exception {
        long[] pages = pool.allocateRoot(1);
        pool.assignToGuest(pages, 7);
        pool.pages(pages[0], 1).fill((byte) 0x5A);
        pool.releaseFromGuest(pages[0], 7);
        assertEquals(PageState.ROOT_ALLOCATED, pool.state(pages[0]));
        assertEquals(0, pool.pages(pages[0], 1).get(ValueLayout.JAVA_BYTE, 100));
    }

    @Test
    void rootViewsAreRevokedWhenTheirPagesLeaveTheRoot() throws Exception {
        long[] pages = pool.allocateRoot(2);
        var view = pool.openRootView(pages);
        view.page(1).set(ValueLayout.JAVA_INT, 0, 42);
        pool.assignToGuest(new long[] {pages[1]}, 9);
        assertTrue(view.isRevoked());
        assertThrows(IllegalStateException.class, () -> view.page(0).get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void depositAndWithdrawAccountPerPartition() throws Exception {
        long[] pages = pool.allocateRoot(3);
        pool.deposit(pages, 5);
        assertEquals(3, pool.depositedTo(5));
        assertEquals(3, pool.statistics().deposited());
        long[] back = pool.withdraw(5, 10);
        Arrays.sort(back);
        assertArrayEquals(pages, back);
        assertEquals(0, pool.depositedTo(5));
        assertEquals(PageState.ROOT_ALLOCATED, pool.state(pages[0]));
    }

    @Test
    void overlayPagesComeFromTheirOwnPartitionsDepositAndStayCountedUntilReturned() throws Exception {
        long[] five = pool.allocateRoot(2);
        long[] six = pool.allocateRoot(2);
        pool.deposit(five, 5);
        pool.deposit(six, 6);
        long overlay = pool.takeDeposited(5);
        assertTrue(overlay == five[0] || overlay == five[1], "partition 5's overlay page is one of its own deposit");
        assertEquals(PageState.HYPERVISOR, pool.state(overlay));
        assertEquals(2, pool.depositedTo(5), "a page in the hypervisor's use still counts as deposited");
        long[] back = pool.withdraw(5, 10);
        assertEquals(1, back.length, "only the spare page is withdrawn");
        assertEquals(1, pool.depositedTo(5));
        pool.takeDeposited(6);
        pool.takeDeposited(6);
        assertThrows(PageStateException.class, () -> pool.takeDeposited(6), "partition 6 has no spare page left");
        assertThrows(PageStateException.class, () -> pool.takeDeposited(5), "nor has 5, whose only page is in use");
        pool.returnToDeposit(overlay, 5);
        assertArrayEquals(new long[] {overlay}, pool.withdraw(5, 10));
        assertEquals(0, pool.depositedTo(5));
        assertEquals(2, pool.depositedTo(6));
    }

    @Test
    void aPageListNamingAPageTwiceIsRefusedEveryTime() throws Exception {
        long[] pages = pool.allocateRoot(2);
        for (int i = 0; i < 3; i++) {
            assertThrows(PageStateException.class, () -> pool.deposit(new long[] {pages[0], pages[1], pages[0]}, 5));
        }
        pool.deposit(pages, 5);
        assertEquals(2, pool.depositedTo(5), "a list without repeats after refused ones goes through");
    }

    @Test
    void aPartitionsRamLeavesScrubbedAllAtOnceOrNotAtAll() throws Exception {
        long[] pages = pool.allocateRoot(4);
        for (long spn : pages) {
            pool.pages(spn, 1).fill((byte) 0x5A);
        }
        pool.assignToGuest(pages, 7);
        long[] someoneElses = pool.allocateRoot(1);
        pool.assignToGuest(someoneElses, 8);
        long[] mixed = {pages[0], someoneElses[0]};
        assertThrows(PageStateException.class, () -> pool.releaseFromGuest(mixed, 7));
        assertEquals(PageState.GUEST, pool.state(pages[0]), "a refused batch releases nothing");
        long[] shuffled = {pages[2], pages[0], pages[3], pages[1]};
        pool.releaseFromGuest(shuffled, 7);
        for (long spn : pages) {
            assertEquals(PageState.ROOT_ALLOCATED, pool.state(spn));
            assertEquals(0, pool.pages(spn, 1).get(ValueLayout.JAVA_LONG, 128), "scrubbed before it changed hands");
        }
    }
}
