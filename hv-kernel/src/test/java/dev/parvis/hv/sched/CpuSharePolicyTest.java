package dev.parvis.hv.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.sched.CpuSharePolicy.Account;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The share policy alone, over simulated time: no threads. */
class CpuSharePolicyTest {
    private static final long SLICE = 10_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /**
     * Simulates {@code lps} logical processors for {@code nanos} with every account always runnable;
     * each LP takes the next pick, runs its budget, and accounts never run on two LPs at once.
     * Returns the time each account ran and the idle time, in order.
     */
    private static long[] simulate(CpuSharePolicy policy, List<Account> accounts, int lps, long nanos) {
        return simulate(policy, accounts, lps, 0, nanos);
    }

    private static long[] simulate(CpuSharePolicy policy, List<Account> accounts, int lps, long from, long nanos) {
        long[] ran = new long[accounts.size() + 1];
        long[] lpFree = new long[lps];
        java.util.Arrays.fill(lpFree, from);
        Account[] holding = new Account[lps];
        while (true) {
            int lp = 0;
            for (int i = 1; i < lps; i++) {
                if (lpFree[i] < lpFree[lp]) {
                    lp = i;
                }
            }
            long now = lpFree[lp];
            if (now >= nanos) {
                break;
            }
            holding[lp] = null;
            List<Account> free = new ArrayList<>(accounts);
            for (Account held : holding) {
                free.remove(held);
            }
            Account a = policy.pick(free, now);
            if (a == null) {
                long next = Math.min(policy.nextPeriodStart(now), nanos);
                for (int i = 0; i < lps; i++) {
                    if (i != lp && lpFree[i] > now) {
                        next = Math.min(next, lpFree[i]);
                    }
                }
                ran[accounts.size()] += next - now;
                lpFree[lp] = next;
                continue;
            }
            long budget = policy.budget(a, now);
            policy.charge(a, now, now + budget);
            ran[accounts.indexOf(a)] += budget;
            holding[lp] = a;
            lpFree[lp] = now + budget;
        }
        return ran;
    }

    @Test
    void weightsOneToThreeShareOneProcessorAboutTwentyFiveToSeventyFive() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account light = policy.newAccount();
        Account heavy = policy.newAccount();
        policy.setWeight(light, 100);
        policy.setWeight(heavy, 300);
        long[] ran = simulate(policy, List.of(light, heavy), 1, 10 * SECOND);
        double share = (double) ran[0] / (ran[0] + ran[1]);
        assertEquals(0.25, share, 0.02, "light's share");
        assertEquals(0, ran[2], "no idle time with runnable work");
    }

    @Test
    void capIsACeilingEvenWhenProcessorsAreIdle() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account capped = policy.newAccount();
        policy.setCap(capped, 25_000);
        long[] ran = simulate(policy, List.of(capped), 2, 10 * SECOND);
        assertEquals(0.25, (double) ran[0] / (10 * SECOND), 0.001, "capped alone on two idle LPs");
    }

    @Test
    void cappedPartitionAgainstABusyOneGetsItsCapAndTheOtherTheRest() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account capped = policy.newAccount();
        Account busy = policy.newAccount();
        policy.setCap(capped, 25_000);
        long[] ran = simulate(policy, List.of(capped, busy), 1, 10 * SECOND);
        assertEquals(0.25, (double) ran[0] / (10 * SECOND), 0.005);
        assertEquals(0.75, (double) ran[1] / (10 * SECOND), 0.005);
    }

    @Test
    void capOfOneHundredPercentOrZeroMeansNone() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account a = policy.newAccount();
        policy.setCap(a, CpuSharePolicy.FULL);
        assertEquals(0, a.cap());
        long[] ran = simulate(policy, List.of(a), 1, SECOND);
        assertEquals(SECOND, ran[0]);
    }

    @Test
    void reserveIsHonouredUnderContentionEvenAgainstHeavyWeights() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account reserved = policy.newAccount();
        Account heavy1 = policy.newAccount();
        Account heavy2 = policy.newAccount();
        policy.setWeight(reserved, 1);
        policy.setWeight(heavy1, 10_000);
        policy.setWeight(heavy2, 10_000);
        policy.setReserve(reserved, 40_000);
        long[] ran = simulate(policy, List.of(reserved, heavy1, heavy2), 1, 10 * SECOND);
        double share = (double) ran[0] / (10 * SECOND);
        assertTrue(share >= 0.39 && share < 0.45, "reserved share " + share);
    }

    @Test
    void manyAccountsOnTwoProcessorsAllMakeProgressEvenly() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            accounts.add(policy.newAccount());
        }
        long[] ran = simulate(policy, accounts, 2, 10 * SECOND);
        for (int i = 0; i < 20; i++) {
            assertEquals(1.0 / 10, (double) ran[i] / (10 * SECOND), 0.01, "account " + i);
        }
    }

    @Test
    void aSleeperDoesNotBankCreditAgainstARunner() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account runner = policy.newAccount();
        Account sleeper = policy.newAccount();
        simulate(policy, List.of(runner), 1, 10 * SECOND);
        long[] ran = simulate(policy, List.of(runner, sleeper), 1, 10 * SECOND, 20 * SECOND);
        // Over the next 10 s the two share about evenly; the sleeper does not monopolise for 10 s.
        assertTrue(ran[0] > 4 * SECOND, "runner got " + ran[0]);
    }

    @Test
    void zeroWeightAndOutOfRangeValuesAreRefused() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account a = policy.newAccount();
        assertFalse(CpuSharePolicy.validWeight(0));
        assertFalse(CpuSharePolicy.validWeight(10_001));
        assertFalse(CpuSharePolicy.validReserve(-1));
        assertFalse(CpuSharePolicy.validReserve(100_001));
        assertFalse(CpuSharePolicy.validCap(100_001));
        assertThrows(IllegalArgumentException.class, () -> policy.setWeight(a, 0));
        assertThrows(IllegalArgumentException.class, () -> policy.setCap(a, -5));
        assertThrows(IllegalArgumentException.class, () -> policy.setReserve(a, 200_000));
        assertEquals(CpuSharePolicy.DEFAULT_WEIGHT, a.weight());
        assertEquals(0, a.cap());
        assertEquals(0, a.reserve());
    }

    @Test
    void aCappedAccountAloneLeavesThePickEmptyUntilTheNextPeriod() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account a = policy.newAccount();
        policy.setCap(a, 10_000);
        assertEquals(SLICE, policy.budget(a, 0));
        policy.charge(a, 0, SLICE);
        assertNull(policy.pick(List.of(a), SLICE));
        assertEquals(policy.periodNanos(), policy.nextPeriodStart(SLICE));
        assertEquals(a, policy.pick(List.of(a), policy.periodNanos()));
    }

    @Test
    void aCapOverrunIsPaidBackInTheNextPeriod() {
        CpuSharePolicy policy = new CpuSharePolicy(5 * SLICE);
        Account a = policy.newAccount();
        policy.setCap(a, 25_000);
        long period = policy.periodNanos();
        policy.charge(a, 0, 30_000_000L); // ran 5 ms past its 25 ms cap: the kick came late
        assertNull(policy.pick(List.of(a), 30_000_000L));
        assertEquals(20_000_000L, policy.budget(a, period), "the next period's cap minus the overrun");
    }

    @Test
    void weightsShareTheCpuTimeRunNotTheTimeTheHostTookAwayMidSlice() {
        CpuSharePolicy policy = new CpuSharePolicy(SLICE);
        Account robbed = policy.newAccount();
        Account other = policy.newAccount();
        long now = 0;
        long[] ran = new long[2];
        // One LP; every slice "robbed" holds, the host runs something else for nine tenths of it.
        for (int i = 0; i < 400; i++) {
            Account a = policy.pick(List.of(robbed, other), now);
            long budget = policy.budget(a, now);
            long got = a == robbed ? budget / 10 : budget;
            policy.charge(a, now, now + budget, got);
            ran[a == robbed ? 0 : 1] += got;
            now += budget;
        }
        double share = (double) ran[0] / (ran[0] + ran[1]);
        assertEquals(0.5, share, 0.05, "equal weights get equal CPU time: robbed got " + share);
        assertEquals(ran[0], robbed.totalNanos(), "the ledger counts what ran");
    }
}
