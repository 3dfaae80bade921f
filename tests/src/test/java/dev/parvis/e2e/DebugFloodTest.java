package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parvis.hv.partition.Partition;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.root.run.GuestConsole;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The debugflood guest posts 4088-byte debug chunks without a newline as fast as it can, beside the
 * counter guest. The root's console (run-guest's GuestConsole) prints it in bounded pieces, the
 * hypervisor holds the flood to the partition's debug output budget (the rest is refused), the host
 * heap does not grow with the flood, the neighbour keeps counting, and when the root's listener
 * itself fails (out of memory) the flood costs a rate-limited log line, never a stack trace per call.
 */
@OnEachBackend
@Timeout(120)
class DebugFloodTest {
    private static final long FLOOD_MILLIS = 6_000;
    private static final long HEAP_GROWTH_LIMIT = 64L << 20;

    /** Counts what would have gone to the terminal. */
    private static final class CountingStream extends OutputStream {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void write(int b) {
            bytes.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.addAndGet(len);
        }
    }

    private static long u64(GuestHarness h, LoadedChild c, long gpa) {
        return ByteBuffer.wrap(h.hc.readGpa(c.partitionId(), gpa, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aDebugFloodIsHeldToItsBudgetAndNeitherTheHeapNorTheLogNorTheNeighbourSuffers() throws Exception {
        Logger parvisLog = (Logger) LoggerFactory.getLogger("dev.parvis");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        parvisLog.addAppender(log);
        try (GuestHarness h = new GuestHarness()) {
            CountingStream terminal = new CountingStream();
            GuestConsole console = new GuestConsole(new PrintStream(terminal, true));
            LoadedChild counter = h.boot("counter");
            long counterGpa = GuestHarness.le(h.awaitMessage(counter)).getLong();
            long heapBefore = usedHeapAfterGc();

            h.hv.setDebugListener(console);
            long floodBorn = System.nanoTime(); // the partition's budget accrues from its creation
            LoadedChild flood = h.boot("debugflood");
            long countersGpa = GuestHarness.le(h.awaitMessage(flood)).getLong();
            long start = System.nanoTime();
            long counted = u64(h, counter, counterGpa);
            Thread.sleep(FLOOD_MILLIS);
            double seconds = (System.nanoTime() - start) / 1e9;
            long posts = u64(h, flood, countersGpa);
            long accepted = u64(h, flood, countersGpa + 8);
            long countedDuring = u64(h, counter, counterGpa) - counted;
            // The console keeps printing while the flood runs: read it once, and measure the budget
            // over the partition's whole life up to that read, so output and budget cover one window.
            long consoleBytes = terminal.bytes.get();
            double lifetime = (System.nanoTime() - floodBorn) / 1e9;
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            double budget = Partition.DEBUG_OUTPUT_BURST_BYTES + Partition.DEBUG_OUTPUT_BYTES_PER_SECOND * (lifetime + 1);
            System.out.printf("debug flood: %d posts in %.1f s, %d accepted (%d bytes; budget %.0f), %d bytes to the console,"
                    + " heap growth %d KiB, neighbour counted %d%n", posts, seconds, accepted, accepted * 4088, budget,
                    consoleBytes, heapGrowth >> 10, countedDuring);
            assertAll(
                    () -> assertTrue(posts > 2 * accepted, "the flood ran and most of it was refused: " + posts + " posts"),
                    () -> assertTrue(accepted * 4088 <= budget, "accepted bytes within the budget"),
                    () -> assertTrue(consoleBytes <= 1.1 * budget, "console output bounded: " + consoleBytes),
                    () -> assertTrue(consoleBytes >= accepted * 4088, "every accepted byte was printed"),
                    () -> assertTrue(heapGrowth < HEAP_GROWTH_LIMIT, "heap growth " + heapGrowth),
                    () -> assertTrue(countedDuring > 1_000_000, "the neighbour kept counting: " + countedDuring));

            // The root's listener runs out of memory on every line: each call still returns, the LP
            // and the neighbour go on, and the log gets a rate-limited line, not a trace per call.
            h.hv.setDebugListener((id, data) -> {
                throw new OutOfMemoryError("Java heap space (test)");
            });
            int logBefore = log.list.size();
            long postsBefore = u64(h, flood, countersGpa);
            counted = u64(h, counter, counterGpa);
            long t0 = System.nanoTime();
            Thread.sleep(3_000);
            double failingSeconds = (System.nanoTime() - t0) / 1e9;
            long postsDuring = u64(h, flood, countersGpa) - postsBefore;
            long countedWhileFailing = u64(h, counter, counterGpa) - counted;
            long lines = log.list.size() - logBefore;
            long traces = log.list.stream().skip(logBefore).filter(e -> e.getThrowableProxy() != null).count();
            assertAll(
                    () -> assertTrue(postsDuring > 1_000, "the flood went on: " + postsDuring),
                    () -> assertTrue(countedWhileFailing > 1_000_000, "so did the neighbour: " + countedWhileFailing),
                    () -> assertTrue(lines <= 10 + failingSeconds + 2, lines + " log lines in " + failingSeconds + " s"),
                    () -> assertTrue(traces == 0, traces + " stack traces logged"));
        } finally {
            parvisLog.detachAppender(log);
        }
    }
}
