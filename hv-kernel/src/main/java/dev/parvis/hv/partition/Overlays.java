package dev.parvis.hv.partition;

import dev.parvis.hv.memory.GpaMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the partition's GPA overlay pages lie (TLFS "GPA Overlay Pages"): the hypercall page and
 * each VP's SIM and SIEF pages. An overlay is laid over the partition's own RAM only, one overlay
 * per GPN (the TLFS leaves stacked overlays undefined; Parvis refuses them), and the RAM it hides
 * is left untouched and uncovered again when the overlay moves or is disabled.
 *
 * <p>Overlays are partition-wide: every VP sees them (the TLFS has another VP's access to a SIM or
 * SIEF page raise #MC; guests must not make it, and the backends map one memory map per partition).
 */
public final class Overlays {
    /** What an overlay page is. */
    public enum Kind { HYPERCALL, SIM, SIEF }

    /** The owner of one overlay: the partition's hypercall page ({@code vpIndex} -1), or a VP's SIM or SIEF page. */
    public record Owner(Kind kind, int vpIndex) {
        public static final Owner HYPERCALL = new Owner(Kind.HYPERCALL, -1);
    }

    private final GpaMap map;
    private final Map<Owner, Long> gpns = new HashMap<>();

    public Overlays(GpaMap map) {
        this.map = map;
    }

    /**
     * Lays {@code owner}'s page {@code spn} over {@code gpn} with {@code access}, moving it from where
     * it was. False (nothing changed) when the GPN has no RAM of the partition or carries another
     * overlay.
     */
    public synchronized boolean place(Owner owner, long gpn, long spn, int access) {
        if (gpn < 0 || gpn >= GpaMap.MAX_GPN || !map.isMapped(gpn)) {
            return false;
        }
        Long current = gpns.get(owner);
        if (current != null && current == gpn) {
            return true;
        }
        if (map.isOverlaid(gpn)) {
            return false;
        }
        remove(owner);
        map.overlay(gpn, spn, access);
        gpns.put(owner, gpn);
        return true;
    }

    /** Takes {@code owner}'s overlay off the GPA space (uncovering the RAM beneath); its page stays the owner's. */
    public synchronized void remove(Owner owner) {
        Long gpn = gpns.remove(owner);
        if (gpn != null) {
            map.removeOverlay(gpn);
        }
    }

    /** The overlay at {@code gpn}, or null. */
    public synchronized Owner ownerAt(long gpn) {
        for (Map.Entry<Owner, Long> e : gpns.entrySet()) {
            if (e.getValue() == gpn) {
                return e.getKey();
            }
        }
        return null;
    }

    public synchronized int count() {
        return gpns.size();
    }
}
