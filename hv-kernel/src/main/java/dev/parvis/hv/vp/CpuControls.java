package dev.parvis.hv.vp;

import dev.parvis.hv.sched.CpuSharePolicy;

/**
 * A partition's CPU settings (CPU_WEIGHT, CPU_RESERVE, CPU_CAP), read and changed under the LP
 * scheduler's lock, which applies them from its next pick. Values are validated by the policy
 * (IllegalArgumentException).
 */
public final class CpuControls {
    private final LogicalProcessors lps;
    private final CpuSharePolicy.Account account;

    CpuControls(LogicalProcessors lps, CpuSharePolicy.Account account) {
        this.lps = lps;
        this.account = account;
    }

    public void setWeight(long value) {
        lps.withPolicy(p -> {
            p.setWeight(account, value);
            return null;
        });
    }

    public void setReserve(long value) {
        lps.withPolicy(p -> {
            p.setReserve(account, value);
            return null;
        });
    }

    public void setCap(long value) {
        lps.withPolicy(p -> {
            p.setCap(account, value);
            return null;
        });
    }

    public int weight() {
        return lps.withPolicy(p -> account.weight());
    }

    public int reserve() {
        return lps.withPolicy(p -> account.reserve());
    }

    public int cap() {
        return lps.withPolicy(p -> account.cap());
    }
}
