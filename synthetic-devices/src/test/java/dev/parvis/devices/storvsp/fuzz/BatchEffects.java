package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.devices.storvsp.fuzz.Expectation.ReadBlocks;
import dev.parvis.devices.storvsp.fuzz.Expectation.Response;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbOutcome;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbReply;
import dev.parvis.devices.storvsp.fuzz.Expectation.UnmapBlocks;
import dev.parvis.devices.storvsp.fuzz.Expectation.WriteBlocks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * After a batch's completions: what the requests did to the guest's memory and to the disks. Reads
 * must hold what the disk holds (unless another request of the batch changed those blocks, or they
 * are of unknown content), parameter data its fixed bytes; then no other byte of the data area may
 * have changed. Writes and UNMAPs that completed GOOD then go into the shadow disks.
 */
final class BatchEffects {
    /** An SRB and the outcome its completion showed. */
    record Answered(FuzzPacket packet, SrbReply reply, SrbOutcome outcome) {}

    /** Blocks a GOOD write or UNMAP of the batch changed. */
    private record Footprint(ShadowDisk disk, long lba, long blocks) {
        boolean overlaps(ShadowDisk d, long from, long count) {
            return disk == d && lba < from + count && from < lba + blocks;
        }
    }

    private BatchEffects() {
    }

    /** Checks the batch against guest memory and the shadows, then applies its writes; reports through {@code tally}. */
    static void apply(List<Answered> answered, GuestDataArea area, FuzzTally tally, Failures failures) {
        List<Footprint> changed = footprints(answered);
        for (Answered a : answered) {
            switch (a.outcome().effect()) {
                case ReadBlocks r -> checkRead(a, r, changed, area, tally, failures);
                case Response r -> checkResponse(a, r, area, tally, failures);
                default -> {
                }
            }
        }
        GuestDataArea.Difference moved = area.differences();
        if (moved != null) {
            failures.failed(owner(answered, moved.page()), "guest memory changed outside what the batch's requests"
                    + " returned: " + moved.description());
        }
        for (Answered a : answered) {
            switch (a.outcome().effect()) {
                case WriteBlocks w -> {
                    w.disk().write(w.lba(), w.data());
                    tally.count("data: writes applied to the shadow disks");
                }
                case UnmapBlocks u -> {
                    u.ranges().forEach(r -> u.disk().zero(r[0], r[1]));
                    tally.count("data: UNMAPs applied to the shadow disks");
                }
                default -> {
                }
            }
        }
        for (int i = 0; i < changed.size(); i++) { // two changes of one block: the disk's threads ran them in either order
            for (int j = i + 1; j < changed.size(); j++) {
                Footprint a = changed.get(i);
                Footprint b = changed.get(j);
                if (a.overlaps(b.disk(), b.lba(), b.blocks())) {
                    long from = Math.max(a.lba(), b.lba());
                    a.disk().forget(from, Math.min(a.lba() + a.blocks(), b.lba() + b.blocks()) - from);
                }
            }
        }
    }

    /** The request whose buffer holds {@code page} (each has pages of its own), else the batch's last. */
    private static FuzzPacket owner(List<Answered> answered, int page) {
        return answered.stream().filter(a -> a.reply().range() != null
                        && a.reply().range().coveredPages().anyMatch(p -> p == page))
                .map(Answered::packet).findFirst().orElse(answered.isEmpty() ? null : answered.getLast().packet());
    }

    /** Something to report a failure to, naming the case. */
    interface Failures {
        void failed(FuzzPacket packet, String message);
    }

    private static List<Footprint> footprints(List<Answered> answered) {
        List<Footprint> out = new ArrayList<>();
        for (Answered a : answered) {
            switch (a.outcome().effect()) {
                case WriteBlocks w -> out.add(new Footprint(w.disk(), w.lba(), w.data().length / w.disk().sector));
                case UnmapBlocks u -> u.ranges().forEach(r -> out.add(new Footprint(u.disk(), r[0], r[1])));
                default -> {
                }
            }
        }
        return out;
    }

    private static void checkRead(Answered a, ReadBlocks r, List<Footprint> changed, GuestDataArea area, FuzzTally tally,
                                  Failures failures) {
        GuestRange range = a.reply().range();
        long blocks = r.bytes() / r.disk().sector;
        boolean checkable = r.disk().known(r.lba(), blocks)
                && changed.stream().noneMatch(f -> f.overlaps(r.disk(), r.lba(), blocks));
        if (!checkable) {
            tally.count("data: reads not checkable (blocks changed in the same batch)");
            area.accept(range, r.bytes());
            return;
        }
        area.expect(range, r.disk().read(r.lba(), r.bytes()));
        byte[] want = area.expected(range, r.bytes()); // where a page repeats, its last bytes
        byte[] got = area.actual(range, r.bytes());
        if (!Arrays.equals(got, want)) {
            int at = Arrays.mismatch(got, want);
            failures.failed(a.packet(), "read of %s at LBA %d returned other bytes than the disk holds, first at byte %d"
                    .formatted(r.disk(), r.lba(), at));
            area.accept(range, r.bytes());
            r.disk().forget(r.lba(), blocks);
            return;
        }
        tally.count("data: reads checked against the shadow disk");
    }

    private static void checkResponse(Answered a, Response r, GuestDataArea area, FuzzTally tally, Failures failures) {
        int n = (int) a.outcome().transferred();
        if (n == 0) {
            return;
        }
        byte[] got = area.actual(a.reply().range(), n);
        for (int i = r.known().nextSetBit(0); i >= 0 && i < n; i = r.known().nextSetBit(i + 1)) {
            if (got[i] != r.bytes()[i]) {
                failures.failed(a.packet(), "parameter data byte %d is 0x%02x, expected 0x%02x".formatted(i, got[i], r.bytes()[i]));
                break;
            }
        }
        area.accept(a.reply().range(), n);
        tally.count("data: parameter data checked");
    }
}
