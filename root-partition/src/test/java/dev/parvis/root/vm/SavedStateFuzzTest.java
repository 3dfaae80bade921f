package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.storvsp.SavedChannel;
import dev.parvis.root.storage.DiskChannelState;
import dev.parvis.vmbus.server.VmbusServerState;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 50,000 mutated saved.state files (seeded, repeatable; {@code -Dparvis.fuzz.cases=N}, {@code
 * -Dparvis.fuzz.seed=S}, one case alone with {@code -Dparvis.fuzz.case=I}, every refusal reason with
 * {@code -Dparvis.fuzz.verbose=true}), made by the host's own writer from saved states of VMs with
 * VMBus channels in every phase, SynIC pages and held messages, disk channels and 2 or 4 VPs, and
 * with a version 1 VMBUS body or as a version 1 file; END's checksum is mostly recomputed so that a
 * mutation reaches the checks behind it. Each file is refused with a {@link
 * SavedStateException} or read into a state that is consistent: a second reading is the same, what
 * the host writes of it reads back the same, every bounded value is in bounds, the file is exactly
 * its sections, and the reading allocated no more than the VM's RAM and a few times the file. Any
 * other exception, an allocation sized by an unchecked field or a case that hangs fails the test,
 * naming the case to replay and what was done to its file.
 */
class SavedStateFuzzTest {
    private static final int CASES = Integer.getInteger("parvis.fuzz.cases", 50_000);
    private static final long SEED = Long.getLong("parvis.fuzz.seed", 0x5A7E_D5EEDL);
    private static final int ONE_CASE = Integer.getInteger("parvis.fuzz.case", -1);
    private static final boolean VERBOSE = Boolean.getBoolean("parvis.fuzz.verbose");
    /** A case still running after this long is taken for a hang (a real one takes well under a millisecond). */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Pattern NUMBERS = Pattern.compile("0x[0-9a-fA-F]+|-?\\d+");

    /** A base file and the VM it belongs to. */
    record Base(String name, byte[] bytes, SavedStateFile.Expected expected) {
    }

    /** One kind of failure: how many cases showed it, the first of them and what it threw. */
    record Failure(int count, int firstCase, String label, Throwable thrown) {
        Failure plus(Failure other) {
            Failure first = firstCase <= other.firstCase ? this : other;
            return new Failure(count + other.count, first.firstCase, first.label, first.thrown);
        }
    }

    /** What one worker saw over its share of the cases. */
    private static final class Tally {
        final Map<String, Integer> structures = new TreeMap<>();
        final Map<String, Integer> reasons = new TreeMap<>();
        /** Each kind of failure (its message, numbers left out): how often, and the first case that showed it. */
        final Map<String, Failure> failures = new TreeMap<>();
        int accepted;
        long slowest;
        int slowestCase;

        void timed(int i, long nanos) {
            if (nanos > slowest) {
                slowest = nanos;
                slowestCase = i;
            }
        }

        void refused(String reason) {
            String normalized = NUMBERS.matcher(reason).replaceAll("#");
            structures.merge(SavedStateFuzzTest.structure(normalized), 1, Integer::sum);
            reasons.merge(normalized, 1, Integer::sum);
        }

        void failed(int i, String label, Throwable t) {
            String kind = t instanceof AssertionError ? NUMBERS.matcher(String.valueOf(t.getMessage())).replaceAll("#")
                    : t.getClass().getName() + " at " + Arrays.stream(t.getStackTrace()).findFirst().map(Object::toString).orElse("?");
            failures.merge(kind, new Failure(1, i, label, t), Failure::plus);
        }

        void add(Tally other) {
            other.structures.forEach((k, n) -> structures.merge(k, n, Integer::sum));
            other.reasons.forEach((k, n) -> reasons.merge(k, n, Integer::sum));
            other.failures.forEach((k, f) -> failures.merge(k, f, Failure::plus));
            accepted += other.accepted;
            timed(other.slowestCase, other.slowest);
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void everyMutatedFileIsRefusedWithAReasonOrReadsIntoAConsistentState() throws Exception {
        int first = Math.max(0, ONE_CASE);
        int end = ONE_CASE >= 0 ? ONE_CASE + 1 : CASES;
        Tally total = run(bases(), first, end);
        System.out.printf("saved-state fuzz: %d cases (seed %d), %d read, refused by structure %s, %d distinct reasons,"
                + " slowest case %d: %d ms%n", end - first, SEED, total.accepted, total.structures, total.reasons.size(),
                total.slowestCase, total.slowest / 1_000_000);
        if (VERBOSE) {
            total.reasons.forEach((reason, n) -> System.out.printf("%8d  %s%n", n, reason));
        }
        if (!total.failures.isEmpty()) {
            StringBuilder report = new StringBuilder(total.failures.size() + " kinds of failure:");
            total.failures.forEach((kind, f) -> report.append("\n%d cases, first %s: %s".formatted(f.count(), f.label(),
                    f.thrown() instanceof AssertionError ? f.thrown().getMessage() : f.thrown())));
            throw new AssertionError(report.toString(), total.failures.values().iterator().next().thrown());
        }
        if (ONE_CASE < 0) {
            assertTrue(total.accepted > CASES / 20, "enough mutations still read to check their states: " + total.accepted);
            assertTrue(total.structures.keySet().containsAll(List.of("header", "sections", "META", "VP", "PAGES", "VMBUS",
                    "SYNIC", "STORAGE", "END", "incomplete")), "refusals reach every structure: " + total.structures.keySet());
        }
    }

    /**
     * Cases {@code first} to {@code end}: each has its own seed and its own copy of a base (the bases
     * are only read), so they are shared out over every core; a case that hangs fails by name.
     */
    private static Tally run(List<Base> bases, int first, int end) throws Exception {
        int workers = Runtime.getRuntime().availableProcessors();
        AtomicLongArray started = new AtomicLongArray(2 * workers); // per worker: case running, its start
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> Thread.ofPlatform().daemon().unstarted(r));
        Tally total = new Tally();
        try {
            List<Future<Tally>> parts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                parts.add(pool.submit(() -> cases(bases, first + worker, end, workers, started, worker)));
            }
            for (Future<Tally> part : parts) {
                total.add(watch(part, started));
            }
        } finally {
            pool.shutdownNow(); // a hung worker is left behind, a daemon
        }
        return total;
    }

    /** Cases {@code first}, {@code first + stride}, ... below {@code end}. */
    private static Tally cases(List<Base> bases, int first, int end, int stride, AtomicLongArray started, int worker) {
        Tally tally = new Tally();
        for (int i = first; i < end; i += stride) {
            long begin = System.nanoTime();
            started.set(2 * worker, i);
            started.set(2 * worker + 1, begin);
            Random random = new Random(caseSeed(i));
            Base base = bases.get(random.nextInt(bases.size()));
            MutatedSavedState file = new MutatedSavedState(base.bytes());
            int mutations = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
            for (int m = 0; m < mutations; m++) {
                file.mutate(random);
            }
            if (random.nextInt(100) < 85) {
                file.reseal();
            }
            String label = "case %d (replay: -Dparvis.fuzz.seed=%d -Dparvis.fuzz.case=%d), base %s, %s".formatted(i, SEED, i,
                    base.name(), file.mutations());
            try {
                check(file.bytes(), base.expected(), tally);
            } catch (Throwable t) { // OutOfMemoryError and StackOverflowError too: each is a defect of the reading
                tally.failed(i, label, t);
            }
            tally.timed(i, System.nanoTime() - begin);
        }
        started.set(2 * worker + 1, 0);
        return tally;
    }

    /** Case {@code i}'s own seed, mixed (SplitMix64) so that the cases of two nearby seeds share nothing. */
    private static long caseSeed(int i) {
        long z = SEED + (i + 1L) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** A worker's tally, or what failed in it; a case running past {@link #STALL_NANOS} fails the test by name. */
    private static Tally watch(Future<Tally> part, AtomicLongArray started) throws Exception {
        while (true) {
            try {
                return part.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                for (int w = 0; w < started.length() / 2; w++) {
                    long since = started.get(2 * w + 1);
                    if (since != 0 && System.nanoTime() - since > STALL_NANOS) {
                        fail("case %d (seed %d) has run for over %d s: a hang".formatted(started.get(2 * w), SEED,
                                TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS)));
                    }
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw (Exception) e.getCause();
            }
        }
    }

    /** Refused with a reason (tallied), or read into a consistent state. */
    private static void check(byte[] file, SavedStateFile.Expected expected, Tally tally) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        SavedState state;
        try {
            state = SavedStateFile.decode("fuzz", file, expected);
        } catch (SavedStateException refused) {
            String message = refused.getMessage();
            if (!message.startsWith("fuzz: ") || message.length() < 16) {
                fail("refused without naming the file and a reason: " + message);
            }
            tally.refused(message.substring("fuzz: ".length()));
            checkAllocation(threads.getCurrentThreadAllocatedBytes() - before, file, expected);
            return;
        }
        checkAllocation(threads.getCurrentThreadAllocatedBytes() - before, file, expected);
        tally.accepted++;
        checkBounds(state, expected);
        checkExactlyItsSections(file);
        byte[] written = bytes(SavedStateFile.encode(state));
        if (!Arrays.equals(written, bytes(SavedStateFile.encode(SavedStateFile.decode("fuzz", file, expected))))) {
            fail("two readings of the same bytes differ");
        }
        SavedState reread;
        try {
            reread = SavedStateFile.decode("rewritten", written, expected);
        } catch (SavedStateException e) {
            throw new AssertionError("the state read is refused once written again: " + e.getMessage(), e);
        }
        if (!Arrays.equals(written, bytes(SavedStateFile.encode(reread)))) {
            fail("the state read does not read back the same once written again");
        }
    }

    /** The VM's RAM, a few copies of the file (bodies, the VMBUS section, exception messages) and a little more. */
    private static void checkAllocation(long allocated, byte[] file, SavedStateFile.Expected expected) {
        long bound = (long) expected.pageCount() * SavedStateFile.PAGE + 8L * file.length + (2 << 20);
        if (allocated > bound) {
            fail("reading a %d-byte file allocated %d bytes (bound %d)".formatted(file.length, allocated, bound));
        }
    }

    private static void checkBounds(SavedState s, SavedStateFile.Expected expected) {
        List<String> wrong = new ArrayList<>();
        if (s.pageCount() != expected.pageCount() || s.rights().length != s.pageCount() + 1 || s.rights()[0] != 0
                || Arrays.stream(s.rights()).anyMatch(r -> (r & ~0xF) != 0)) {
            wrong.add("RAM or rights");
        }
        if (s.vpCount() != expected.vpCount() || s.vps().stream().anyMatch(v -> v.size() > SavedStateFile.MAX_REGISTERS)) {
            wrong.add("VPs");
        }
        if (!s.synic().isEmpty() && s.synic().size() != s.vpCount()) {
            wrong.add("SYNIC VP count");
        }
        for (VpSynicPages p : s.synic()) {
            int held = p.pending().length;
            if (held != 0 && (held < PendingMessages.HEADER_SIZE || held > PendingMessages.MAX_PAGES * SavedStateFile.PAGE)) {
                wrong.add("held messages of " + held + " bytes");
            }
        }
        for (int vp = 0; vp < s.vpCount(); vp++) {
            VpSynicPages p = s.synicPages(vp); // from the RAM for a file without SYNIC
            if (p.sim().length != SavedStateFile.PAGE) {
                wrong.add("SIM page of VP " + vp);
            }
        }
        try {
            s.bootInfo(); // what a restore reads of the RAM: refused at decode, never when the partition is built
        } catch (IllegalArgumentException e) {
            wrong.add("boot page: " + e.getMessage());
        }
        if (s.diskChannels().size() > SavedDiskChannels.MAX_CHANNELS) {
            wrong.add(s.diskChannels().size() + " disk channels");
        }
        if (s.vmbus() != null) {
            for (VmbusServerState.GpadlEntry g : s.vmbus().gpadls()) {
                long[] pfns = g.pfns();
                // Only a created GPADL's pages are granted RAM; the others hold what the guest sent.
                for (int k = 0; g.phase() == VmbusServerState.GpadlEntry.CREATED && k < g.filled(); k++) {
                    if (pfns[k] < 1 || pfns[k] > s.pageCount()) {
                        wrong.add("GPADL 0x%x page 0x%x".formatted(g.handle(), pfns[k]));
                    }
                }
            }
        }
        if (!wrong.isEmpty()) {
            fail("read with values out of bounds: " + wrong);
        }
    }

    /** An accepted file is its header and the sections it counts, nothing before, between or after them. */
    private static void checkExactlyItsSections(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long at = 16;
        for (int i = 0; i < b.getInt(12); i++) {
            at += 16 + b.getLong((int) at + 8);
        }
        if (at != file.length) {
            fail("a %d-byte file was read whose sections end at byte %d".formatted(file.length, at));
        }
    }

    /** Which structure a refusal names (the first words of its reason, numbers as #), for the tally. */
    static String structure(String reason) {
        String[][] rules = {{"truncated in header", "header"}, {"not a Parvis", "header"}, {"saved-state format", "header"},
                {"bad section count", "header"}, {"truncated in section header", "sections"}, {"section ", "sections"},
                {"unknown section", "sections"}, {"second ", "sections"}, {"META", "META"}, {"VP", "VP"}, {"PAGES", "PAGES"},
                {"page ", "PAGES"}, {"VMBUS", "VMBUS"}, {"SYNIC", "SYNIC"}, {"STORAGE", "STORAGE"}, {"checksum", "END"},
                {"END", "END"}, {"# bytes after END", "END"}, {"incomplete", "incomplete"}};
        for (String[] rule : rules) {
            if (reason.startsWith(rule[0])) {
                return rule[1];
            }
        }
        return "other";
    }

    // ---- base files ----

    private static List<Base> bases() {
        SavedStateFile.Expected eightPagesTwoVps = new SavedStateFile.Expected(8, 2);
        SavedState fourVps = fourVps();
        VmbusServerState version1 = VmbusVersion1Body.sample();
        SavedState withVersion1Body = new SavedState(fourVps.vmId(), fourVps.name(), fourVps.referenceTime(), fourVps.vps(),
                fourVps.rights(), fourVps.memory(), version1, fourVps.synic(), fourVps.diskChannels());
        SavedStateImage v1Image = SavedStateImage.parse(bytes(SavedStateFile.encode(withVersion1Body)));
        int vmbus = v1Image.indexOf(SavedStateFile.VMBUS);
        byte[] v1Body = VmbusVersion1Body.of(version1);
        SavedStateImage withV1Body = v1Image.with(vmbus, s -> new SavedStateImage.Section(s.type(), 0, v1Body.length, v1Body));
        SavedStateFile.Expected sixteenPagesFourVps = new SavedStateFile.Expected(16, 4);
        List<Base> out = List.of(
                new Base("2 VPs, VMBus with an open channel and GPADLs", encoded(SavedStateFileTest.withVmbus()), eightPagesTwoVps),
                new Base("2 VPs, SIM/SIEF pages and held messages", encoded(SavedStateFileTest.withSynicPages()), eightPagesTwoVps),
                new Base("every section: VMBus, SynIC, a disk channel", encoded(SavedStateRefusalsTest.complete()), eightPagesTwoVps),
                new Base("4 VPs, channels in every phase, 2 disk channels", encoded(fourVps), sixteenPagesFourVps),
                new Base("4 VPs, a version 1 VMBUS body", withV1Body.bytes(), sixteenPagesFourVps),
                new Base("a version 1 file", SavedStateImage.parse(encoded(SavedStateFileTest.sample())).withVersion(1).bytes(),
                        eightPagesTwoVps));
        for (Base b : out) {
            SavedStateFile.decode(b.name(), b.bytes(), b.expected()); // each base reads as it is
        }
        if (!version1.equals(SavedStateFile.decode("v1", withV1Body.bytes(), sixteenPagesFourVps).vmbus())) {
            fail("the version 1 VMBUS body does not read back as the state it was made of");
        }
        return out;
    }

    /** 4 VPs with registers, 16 pages, channels opening, open and closing with a reopen, GPADLs in every phase, queues. */
    private static SavedState fourVps() {
        byte[] memory = SavedStateFileTest.ramWithBootPage(16, 4);
        for (int gpn : new int[] {3, 9, 16}) {
            memory[(gpn - 1) * SavedStateFile.PAGE + gpn] = (byte) gpn;
        }
        int[] rights = new int[17];
        Arrays.fill(rights, 1, 17, 0b111);
        List<List<VpRegisters.Value>> vps = new ArrayList<>();
        for (int vp = 0; vp < 4; vp++) {
            vps.add(List.of(new VpRegisters.Value(0x20010, 0x100000 + vp, 0), new VpRegisters.Value(0x000A0013, 0x3000 | 1, 0)));
        }
        List<VpSynicPages> synic = new ArrayList<>();
        for (int vp = 0; vp < 4; vp++) {
            synic.add(vp == 2 ? SavedStateFileTest.withSynicPages().synic().getFirst() : VpSynicPages.empty());
        }
        List<DiskChannelState> disks = List.of(new DiskChannelState(0, new SavedChannel(1, SavedChannel.READY, 0x0602)),
                new DiskChannelState(3, new SavedChannel(3, SavedChannel.NEGOTIATING, 0)));
        return new SavedState(UUID.fromString("6f1c0d2e-0000-4000-8000-000000000004"), "four-vps", 42L, vps, rights, memory,
                everyPhase(), synic, disks);
    }

    /**
     * Relid 1 open, 2 closing (rescinded and released) with a reopen waiting, 3 opening, 4 closed;
     * GPADL 0x10 created (relid 1's ring, its teardown asked), 0x11 granting, 0x12 assembling (1 of 3
     * pages received); a message for VP 3 waiting and one of the guest's held back.
     */
    private static VmbusServerState everyPhase() {
        Guid type = Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e0");
        byte[] userData = new byte[120];
        userData[5] = 9;
        VmbusServerState.Open a = new VmbusServerState.Open(1, 0x10, 2, 1, userData, 4096);
        VmbusServerState.Open b = new VmbusServerState.Open(2, 0x11, 3, 3, new byte[120], 8192);
        VmbusServerState.ChannelEntry[] channels = {new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPEN, a, null),
                new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.CLOSING, a, b),
                new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPENING, b, null), null};
        List<VmbusServerState.OfferEntry> offers = new ArrayList<>();
        for (int i = 0; i < channels.length; i++) {
            offers.add(new VmbusServerState.OfferEntry(i + 1, type, instance(i + 1), 0x2001 + i, i == 1, i == 1, false, channels[i]));
        }
        long[][] pfns = {{3, 4, 5, 6}, {7, 8, 9}, {10, 0, 0}};
        int[] phases = {VmbusServerState.GpadlEntry.CREATED, VmbusServerState.GpadlEntry.GRANTING, VmbusServerState.GpadlEntry.ASSEMBLING};
        List<VmbusServerState.GpadlEntry> gpadls = new ArrayList<>();
        for (int g = 0; g < pfns.length; g++) {
            int offset = g == 2 ? 100 : 0;
            gpadls.add(new VmbusServerState.GpadlEntry(0x10 + g, g == 0 ? 1 : 3, phases[g], pfns[g], g == 2 ? 1 : pfns[g].length,
                    pfns[g].length * 4096 - offset, offset, g == 0 ? 1 : 0, g == 0));
        }
        return new VmbusServerState(VmbusServerState.CONNECTED, 0x00050003, 2, 2, true, "", offers, gpadls,
                List.of(new VmbusServerState.PendingMessage(3, 2, new byte[] {10, 0, 0, 0, 0, 0, 0, 0})),
                List.of(new byte[] {3, 0, 0, 0, 0, 0, 0, 0}));
    }

    private static Guid instance(int n) {
        return Guid.parse("7a0c6d1e-0000-4000-8000-00000000000" + n);
    }

    private static byte[] encoded(SavedState s) {
        return bytes(SavedStateFile.encode(s));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
