package dev.parvis.devices.storvsp.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * 20,000 packets from a hostile storvsc guest to a storvsp controller with VHDX disks (seeded and
 * repeatable: {@code -Dparvis.fuzz.cases=N}, {@code -Dparvis.fuzz.seed=S}; every packet and its
 * answer with {@code -Dparvis.fuzz.verbose=true}). Well-formed requests of every command storvsp
 * serves, half of them mutated in the SRB, the CDB, the GPA-direct header or the packet; the
 * handshake in and out of order; packets of random type and size, some too large for the channel.
 * Each packet must get the completion the model ({@link StorVspModel}, {@link ScsiModel}) allows,
 * exactly once, or none when it is not a request; the host may close the channel only for a packet
 * too large, and then the guest opens it again. Reads return what the disk holds (a shadow of every
 * write and UNMAP the host completed), no guest byte outside what a request returned changes, no
 * ERROR is logged, and a reader on the other controller of the same server reads on throughout. A
 * failure names the case and the flags to replay up to it.
 */
class StorVspFuzzTest {
    private static final int CASES = Integer.getInteger("parvis.fuzz.cases", 20_000);
    private static final long SEED = Long.getLong("parvis.fuzz.seed", 0x5707_F022L);
    private static final boolean VERBOSE = Boolean.getBoolean("parvis.fuzz.verbose");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void everyHostilePacketGetsTheAnswerTheProtocolAllowsAndTouchesOnlyWhatItGranted() throws Exception {
        ErrorLog log = new ErrorLog();
        Logger parvis = (Logger) LoggerFactory.getLogger("dev.parvis");
        log.start();
        parvis.addAppender(log);
        parvis.setAdditive(false); // the guest's errors are thousands of expected warnings: counted, not printed
        long start = System.nanoTime();
        FuzzRun run;
        try (FuzzRig rig = new FuzzRig(dir, SEED)) {
            run = new FuzzRun(rig, SEED, VERBOSE, log::drain);
            run.run(CASES);
            System.out.printf("storvsp fuzz: %d cases (seed %d) in %d ms, %d reads on the other controller meanwhile,"
                    + " %d warnings logged (rate-limited guest errors)%n%s", CASES, SEED,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), run.steadyReads(), log.warnings.get(),
                    run.tally().outcomes());
        } finally {
            parvis.setAdditive(true);
            parvis.detachAppender(log);
        }
        assertTrue(run.tally().passed(), run.tally().failures());
    }

    /**
     * The Parvis loggers' events during the run: ERRORs kept for the failure report (a request that
     * failed on a disk thread, a loopback thread that died), the rest counted.
     */
    private static final class ErrorLog extends AppenderBase<ILoggingEvent> {
        private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        final AtomicLong warnings = new AtomicLong();

        @Override
        protected void append(ILoggingEvent e) {
            if (!e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                warnings.incrementAndGet();
            } else {
                events.add(e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() != null ? " (" + e.getThrowableProxy().getClassName() + ": "
                        + e.getThrowableProxy().getMessage() + ")" : ""));
            }
        }

        /** The events since the last call, or null. */
        String drain() {
            List<String> out = new ArrayList<>();
            for (String e; (e = events.poll()) != null; ) {
                out.add(e);
            }
            return out.isEmpty() ? null : String.join("; ", out);
        }
    }
}
