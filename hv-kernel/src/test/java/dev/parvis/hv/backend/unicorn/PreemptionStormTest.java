package dev.parvis.hv.backend.unicorn;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C reproduction (src/test/c/preemption_storm.c), built with gcc and run against the shim and
 * the real libunicorn: a push/pop + store + call loop under a kick storm every 10 and 50 us must end
 * with exact registers and counters. The same storm with raw cross-thread uc_emu_stop on an
 * unprepared engine is run too and its result printed: that is the bug the preparation removes
 * (not asserted, it is unicorn's behaviour, not ours).
 */
class PreemptionStormTest {
    private static final long ITERATIONS = 1_000_000;

    @Test
    void aKickStormNeitherRepeatsNorLosesAnInstruction() throws Exception {
        UnicornShim.load();
        Path storm = build();
        Path shim = Path.of(UnicornShim.class.getResource("/native/libparvis-unicorn.so").toURI());
        for (int periodMicros : new int[] {10, 50}) {
            Result r = run(storm, shim, periodMicros, false);
            System.out.println("preemption storm, kick every " + periodMicros + " us: " + r.line);
            assertEquals(0, r.exit, r.line);
            assertTrue(r.line.contains("EXACT"), r.line);
            assertTrue(r.line.matches(".*runs=([1-9][0-9]{2,}).*"), "hundreds of kicked runs at least: " + r.line);
        }
        System.out.println("for comparison, raw uc_emu_stop: " + run(storm, shim, 20, true).line);
    }

    private record Result(int exit, String line) {}

    private static Result run(Path storm, Path shim, int period, boolean raw) throws IOException, InterruptedException {
        List<String> command = raw
                ? List.of(storm.toString(), shim.toString(), Long.toString(ITERATIONS), Integer.toString(period), "raw")
                : List.of(storm.toString(), shim.toString(), Long.toString(ITERATIONS), Integer.toString(period));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("storm did not finish: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    }

    private static Path build() throws IOException, InterruptedException {
        Path source = Path.of("src/test/c/preemption_storm.c").toAbsolutePath();
        Path binary = Path.of("target/preemption_storm").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString(), "-ldl", "-lpthread")
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), output);
        assertTrue(Files.isExecutable(binary));
        return binary;
    }
}
