package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.fuzz.StorVspModel.Phase;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The fuzzing guest: mostly what Linux's storvsc sends (the handshake, then well-formed requests),
 * about half of the requests mutated ({@link SrbMutations}), and now and then a control operation
 * out of its place, a packet of random type, header and payload, or one larger than the channel
 * takes. Every packet comes from its seed alone, never from what the host answered.
 */
final class HostileStorVsc {
    /** What a batch does besides sending its packets. */
    enum BatchKind {
        /** Up to 8 packets, then every completion is read. */
        NORMAL,
        /** Hundreds of requests sent without reading a completion: the host waits for ring space. */
        FLOOD,
        /** The guest closes its channel and opens it again first (a fresh handshake). */
        REOPEN
    }

    private final Random random;
    private final SrbTemplates templates;
    private final SrbMutations mutations;
    private final Set<Long> batchTransactions = new HashSet<>();
    private long nextTransaction = 1;

    HostileStorVsc(Random random, GuestDataArea area, Map<Integer, ShadowDisk> luns) {
        this.random = random;
        this.templates = new SrbTemplates(random, area, luns);
        this.mutations = new SrbMutations(random, area);
    }

    BatchKind nextBatch(Phase phase) {
        batchTransactions.clear();
        int r = random.nextInt(1000);
        if (r < 3) {
            return BatchKind.REOPEN;
        }
        return r < 8 && phase instanceof Phase.Ready ? BatchKind.FLOOD : BatchKind.NORMAL;
    }

    int batchSize(BatchKind kind) {
        return kind == BatchKind.FLOOD ? 40 + random.nextInt(260) : 1 + random.nextInt(random.nextBoolean() ? 2 : 8);
    }

    FuzzPacket next(int caseIndex, Phase phase, BatchKind kind) {
        Draft d;
        if (kind == BatchKind.FLOOD && phase instanceof Phase.Ready r) {
            d = flood(r.version());
        } else if (phase instanceof Phase.Ready r) {
            int pick = random.nextInt(1000);
            d = pick < 880 ? srb(r.version()) : pick < 930 ? ControlPackets.any(random, r.version())
                    : pick < 992 ? ControlPackets.raw(random) : ControlPackets.oversize(random);
        } else {
            int pick = random.nextInt(100);
            d = pick < 75 ? ControlPackets.handshakeStep(random, phase) : pick < 85 ? ControlPackets.any(random, 0x0602)
                    : pick < 93 ? srb(0x0602) : ControlPackets.raw(random);
        }
        d.transactionId = transaction();
        return d.toPacket(caseIndex);
    }

    /** A well-formed request, mutated about half the time (one to three mutations that fit it). */
    private Draft srb(int version) {
        Draft d = templates.next(version);
        if (random.nextInt(100) < 55) {
            int wanted = 1 + (random.nextInt(3) == 0 ? random.nextInt(3) : 0);
            for (int applied = 0, tries = 0; applied < wanted && tries < 20; tries++) {
                if (mutations.mutate(d)) {
                    applied++;
                }
            }
        }
        return d;
    }

    /** TEST UNIT READY or SYNCHRONIZE CACHE without data: answered at once, or by the disk's threads. */
    private Draft flood(int version) {
        Draft d = templates.next(version, random.nextInt(4) != 0 ? ScsiModel.Kind.TEST_UNIT_READY
                : ScsiModel.Kind.SYNCHRONIZE_CACHE_10); // a flush costs an fsync: enough of them to reach BUSY
        d.label("flood");
        return d;
    }

    /** The next transaction id; now and then 0, all ones or random bits (never one the batch already used). */
    private long transaction() {
        long tx = random.nextInt(30) == 0 ? new long[] {0, -1L, Long.MIN_VALUE, random.nextLong()}[random.nextInt(4)]
                : nextTransaction++;
        if (!batchTransactions.add(tx)) {
            tx = nextTransaction++;
            batchTransactions.add(tx);
        }
        return tx;
    }
}
