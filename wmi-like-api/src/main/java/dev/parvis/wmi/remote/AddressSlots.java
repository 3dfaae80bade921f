package dev.parvis.wmi.remote;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many connections each remote address holds, each held to {@code perAddress}, so one
 * address cannot take every connection the server has. An address leaves the table with its last
 * connection: the table is as large as the set of addresses connected now, not of all that ever
 * were.
 */
final class AddressSlots {
    private final int perAddress;
    private final ConcurrentHashMap<InetAddress, Integer> held = new ConcurrentHashMap<>();

    AddressSlots(int perAddress) {
        this.perAddress = perAddress;
    }

    /** Takes a slot for {@code address}; false if it already holds {@code perAddress}. */
    boolean tryTake(InetAddress address) {
        boolean[] taken = {false};
        held.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perAddress) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back a slot {@link #tryTake} gave {@code address}. */
    void release(InetAddress address) {
        held.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
    }

    /** Connections {@code address} holds now. */
    int held(InetAddress address) {
        return held.getOrDefault(address, 0);
    }

    int perAddress() {
        return perAddress;
    }
}
