package dev.parvis.vmcore.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogBudgetTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void burstPassesThenLinesAreDroppedAndCounted() {
        LogBudget budget = new LogBudget(3, 1.0, now::get);
        assertEquals(0, budget.acquire());
        assertEquals(0, budget.acquire());
        assertEquals(0, budget.acquire());
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1, budget.acquire());
        }
        assertEquals(1000, budget.suppressed());
    }

    @Test
    void refillLetsALineThroughThatReportsTheSuppressedCount() {
        LogBudget budget = new LogBudget(1, 2.0, now::get);
        assertEquals(0, budget.acquire());
        assertEquals(-1, budget.acquire());
        assertEquals(-1, budget.acquire());
        now.addAndGet(499_000_000L);
        assertEquals(-1, budget.acquire());
        now.addAndGet(2_000_000L);
        assertEquals(3, budget.acquire());
        assertEquals(0, budget.suppressed());
    }

    @Test
    void refillNeverExceedsTheBurst() {
        LogBudget budget = new LogBudget(2, 1000.0, now::get);
        now.addAndGet(3_600_000_000_000L);
        assertEquals(0, budget.acquire());
        assertEquals(0, budget.acquire());
        assertEquals(-1, budget.acquire());
    }

    @Test
    void eachSourceHasItsOwnBudgetAndTheTableIsBounded() {
        LogBudgets budgets = new LogBudgets(1, 1.0, 2);
        LogBudget a = budgets.of(1);
        assertSame(a, budgets.of(1));
        assertNotSame(a, budgets.of(2));
        budgets.of(3);
        assertNotSame(a, budgets.of(1), "the least recently used source was dropped");
    }

    @Test
    void aTokenBucketGivesAnAmountOnlyWhenAllOfItIsThere() {
        TokenBucket bytes = new TokenBucket(100, 10, now::get);
        assertEquals(true, bytes.tryTake(60));
        assertEquals(false, bytes.tryTake(60), "40 left");
        now.addAndGet(2_000_000_000L);
        assertEquals(true, bytes.tryTake(60), "refilled by 20");
        assertEquals(false, bytes.tryTake(1));
    }
}
