package dev.parvis.e2e.vm;

import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.backend.BackendChoice;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * One host JVM saves a counter VM and exits; a second, new host JVM restores it from the same data
 * directory: the guest continues from where it was, on the same backend, and across backends
 * (saved on unicorn, restored on KVM, and the reverse).
 */
@OnEachBackend
class SaveRestoreAcrossHostsTest {
    private static final Pattern VALUES = Pattern.compile("(\\w+)=(\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void aVmSavedByOneHostProcessContinuesInTheNext() throws Exception {
        String backend = dev.parvis.e2e.BackendUnderTest.choice().toString();
        saveThenRestore(backend, backend);
    }

    /** Needs both backends: runs in the kvm pass only (where KVM is there; unicorn always is). */
    @ParameterizedTest(name = "saved on {0}, restored on {1}")
    @CsvSource({"unicorn, kvm", "kvm, unicorn"})
    void aVmSavedOnOneBackendContinuesOnTheOther(String from, String to) throws Exception {
        Assumptions.assumeTrue(dev.parvis.e2e.BackendUnderTest.choice() == BackendChoice.KVM,
                "runs in the kvm pass, which has both backends");
        saveThenRestore(from, to);
    }

    private void saveThenRestore(String from, String to) throws Exception {
        Map<String, Long> saved = runHost(from, "save");
        long gpa = saved.get("gpa");
        Map<String, Long> restored = runHost(to, "restore", Long.toString(gpa));
        System.out.printf("across hosts: saved on %s at counter %d; new host on %s read %d after 200 ms and %d later%n",
                from, saved.get("counter"), to, restored.get("counter"), restored.get("later"));
        assertTrue(restored.get("counter") >= saved.get("counter"), "continues from the saved value");
        assertTrue(restored.get("later") > restored.get("counter"), "and keeps counting");
        assertTrue(restored.get("counter") < saved.get("counter") * 1000 + 1_000_000_000L, "not restarted from some other state");
        assertEquals(1L, restored.get("savedStateGone"));
    }

    private Map<String, Long> runHost(String backend, String phase, String... extra) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "-Dparvis.guests.dir=" + GuestHarness.guestsDir(), "-Dparvis.backend=" + backend,
                SaveRestoreHostMain.class.getName(), phase, dataDir.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "host process ended");
        assertEquals(0, p.exitValue(), "host process (" + phase + ") output:\n" + output);
        String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line from the " + phase + " host:\n" + output));
        Map<String, Long> values = new java.util.HashMap<>();
        Matcher m = VALUES.matcher(line);
        while (m.find()) {
            values.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return values;
    }
}
