package dev.parvis.root.vm;

/**
 * One VP's SIM and SIEF pages as saved: the hypervisor's overlay pages, which are not part of the
 * guest's RAM and keep their contents while the SIMP or SIEFP is disabled (4096 bytes each).
 */
record VpSynicPages(byte[] sim, byte[] sief) {
    static final int PAGE = 4096;

    VpSynicPages {
        if (sim.length != PAGE || sief.length != PAGE) {
            throw new IllegalArgumentException("SIM and SIEF pages are %d bytes, not %d and %d".formatted(PAGE, sim.length, sief.length));
        }
    }

    static VpSynicPages empty() {
        return new VpSynicPages(new byte[PAGE], new byte[PAGE]);
    }
}
