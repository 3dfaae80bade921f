package dev.parvis.e2e.storage;

import dev.parvis.e2e.BackendUnderTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.e2e.cli.ParvisProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code parvis run-guest GUEST --disk PATH...} as its own process (the entry point ./parvis runs),
 * and what the disk guests print.
 */
record DiskGuest(String guest, int exitCode, String output) {
    static final int RUN_SECONDS = 240;

    static List<String> command(String guest, Path... disks) {
        List<String> args = new ArrayList<>(List.of("run-guest", guest, "--timeout", Integer.toString(RUN_SECONDS),
                "--backend", BackendUnderTest.choice().toString()));
        for (Path disk : disks) {
            args.add("--disk");
            args.add(disk.toString());
        }
        return args;
    }

    static Process start(String guest, Path... disks) throws IOException {
        return ParvisProcess.of(command(guest, disks).toArray(String[]::new)).start();
    }

    /** Runs the guest to its end and prints its output (a failed assertion quotes it too). */
    static DiskGuest run(String guest, Path... disks) throws IOException, InterruptedException {
        Process p = start(guest, disks);
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(RUN_SECONDS + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(guest + " did not end:\n" + output);
        }
        System.out.printf("run-guest %s -> exit %d%n%s", guest, p.exitValue(), output);
        return new DiskGuest(guest, p.exitValue(), output);
    }

    /** Exit status 0 and a line of the guest's ending in "verdict PASS" (disk-verify, storage-hostile). */
    DiskGuest passed() {
        assertEquals(0, exitCode, guest + " exit status\n" + output);
        assertTrue(Pattern.compile("(?m)^\\[" + guest + "\\] " + guest + ": .*verdict PASS$").matcher(output).find(), output);
        return this;
    }

    /** The first group of {@code regex} in the guest's output. */
    String find(String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        return m.find() ? m.group(1) : fail("no match for " + regex + " in:\n" + output);
    }

    /** disk-verify's (or disk-writeloop's) seed. */
    long seed() {
        return Long.parseUnsignedLong(find(guest + ": seed 0x([0-9a-f]+)"), 16);
    }

    /** disk-digest's digest. */
    long digest() {
        return Long.parseUnsignedLong(find("disk-digest: fnv64-words 0x([0-9a-f]+)"), 16);
    }
}
