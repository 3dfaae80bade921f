package dev.parvis.root.vm;

/**
 * One VP's SynIC state as saved: the hypervisor's SIM and SIEF overlay pages, which are not part of
 * the guest's RAM and keep their contents while the SIMP or SIEFP is disabled (4096 bytes each),
 * and the messages the hypervisor held for or about the VP outside those pages ({@code pending}:
 * the bytes of VP state type {@code TYPE_PARVIS_PENDING_MESSAGES}, see
 * {@link dev.parvis.abi.hv.input.PendingMessages}; empty when nothing was held or the file predates it).
 */
record VpSynicPages(byte[] sim, byte[] sief, byte[] pending) {
    static final int PAGE = 4096;

    VpSynicPages {
        if (sim.length != PAGE || sief.length != PAGE) {
            throw new IllegalArgumentException("SIM and SIEF pages are %d bytes, not %d and %d".formatted(PAGE, sim.length, sief.length));
        }
    }

    VpSynicPages(byte[] sim, byte[] sief) {
        this(sim, sief, new byte[0]);
    }

    static VpSynicPages empty() {
        return new VpSynicPages(new byte[PAGE], new byte[PAGE]);
    }
}
