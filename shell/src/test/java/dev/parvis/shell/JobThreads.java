package dev.parvis.shell;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the threads running a background job's work, from the JDK's thread dump, which lists
 * platform and virtual threads with their stacks (jobs ran on virtual threads, which
 * {@code Thread.getAllStackTraces} does not list; a job's work may yet use them).
 */
public final class JobThreads {
    private static final Pattern JOB_FRAME = Pattern.compile("dev\\.parvis\\.shell\\.jobs\\.ShellJob\\.run\\(");
    private static final HotSpotDiagnosticMXBean DIAGNOSTICS = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    private JobThreads() {
    }

    /** Waits up to {@code nanos} for no thread to run a job; how many still do. */
    public static int awaitNone(long nanos) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + nanos;
        int alive = count();
        while (alive > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
            alive = count();
        }
        return alive;
    }

    /** Threads whose stack holds a job's run. */
    public static int count() throws IOException {
        Path dump = Files.createTempDirectory(Path.of("").toAbsolutePath(), "threads").resolve("dump.txt");
        try {
            DIAGNOSTICS.dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            Matcher m = JOB_FRAME.matcher(Files.readString(dump));
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        } finally {
            Files.deleteIfExists(dump);
            Files.deleteIfExists(dump.getParent());
        }
    }
}
