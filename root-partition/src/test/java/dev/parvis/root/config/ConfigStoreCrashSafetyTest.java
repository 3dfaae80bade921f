package dev.parvis.root.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: a writer killed with SIGKILL at a random moment of its save loop leaves {@code vm.json}
 * holding either the old or the new config, never a torn, empty or corrupt one.
 *
 * <p>Every kill is of a fresh child JVM. JVM start-up dominates the run time, so the next writers are
 * started (and warm up, without touching the disk) while the current one runs; a writer only begins
 * saving when told to, so exactly one writes at a time. The writers map a CDS archive of their classes,
 * dumped once by a writer that exits normally (-XX:ArchiveClassesAtExit): it halves each start's CPU
 * time (mostly loading Jackson), and the kills land in the same save loop as without it.
 */
class ConfigStoreCrashSafetyTest {
    private static final int KILLS = 50;
    private static final int WRITERS_AHEAD = 2;

    @TempDir
    Path data;

    private int started;
    private List<String> writerJvm;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS) // 50 JVM starts: 27-31 s measured on a shared, busy 2-core machine
    void aWriterKilledAtARandomMomentLeavesTheOldOrTheNewConfig() throws Exception {
        UUID id = UUID.randomUUID();
        VmConfig a = CrashingWriter.configA(id);
        VmConfig b = CrashingWriter.configB(id);
        new ConfigStore(data).save(a);
        writerJvm = writerJvm(id);

        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int sawA = 0;
        int sawB = 0;
        int killedMidSave = 0;
        long start = System.nanoTime();
        Deque<Process> waiting = new ArrayDeque<>();
        try {
            for (int i = 0; i < WRITERS_AHEAD; i++) {
                waiting.add(startWriter(id));
            }
            for (int kill = 1; kill <= KILLS; kill++) {
                Process child = waiting.poll();
                if (started < KILLS) {
                    waiting.add(startWriter(id));
                }
                int delayMillis = 5 + random.nextInt(56);
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                expectLine(child, out, CrashingWriter.READY);
                OutputStream in = child.getOutputStream();
                in.write('\n');
                in.flush();
                expectLine(child, out, CrashingWriter.STARTED);
                Thread.sleep(delayMillis);
                // The message is built only on failure: stderr() waits for the child to end.
                assertTrue(child.isAlive(), () -> "the writer died on its own: " + stderr(child));
                child.destroyForcibly();
                child.waitFor();
                if (hasTempFile(id)) {
                    killedMidSave++;
                }

                ConfigLoad load = new ConfigStore(data).load(id);
                String context = "after kill " + kill + " (" + delayMillis + " ms, seed " + seed + ")";
                if (!(load instanceof ConfigLoad.Loaded(VmConfig config, Path file))) {
                    fail(context + ": " + load);
                    return;
                }
                if (config.equals(a)) {
                    sawA++;
                } else if (config.equals(b)) {
                    sawB++;
                } else {
                    fail(context + ": neither the old nor the new config: " + config);
                }
                assertFalse(hasTempFile(id), context + ": load removes the stale temporary file");
            }
        } finally {
            waiting.forEach(Process::destroyForcibly);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("crash safety: %d kills of fresh writer JVMs in %d ms (seed %d): %d left config A, "
                + "%d left config B, 0 corrupt; %d kills landed mid-save (a temporary file was left)%n",
                KILLS, millis, seed, sawA, sawB, killedMidSave);
        assertEquals(KILLS, sawA + sawB);
        assertTrue(killedMidSave > 0, "no kill landed mid-save (a temporary file left behind): the run proved nothing"
                + " about a torn save (seed " + seed + ")");
    }

    private Process startWriter(UUID id) throws IOException {
        int n = ++started;
        List<String> command = new ArrayList<>(writerJvm);
        command.addAll(List.of(CrashingWriter.class.getName(), data.toString(), id.toString()));
        return new ProcessBuilder(command).redirectError(data.resolve("writer-" + n + ".err").toFile()).start();
    }

    /**
     * The writers' command up to the main class: this class path with its directories as one jar (a
     * CDS archive holds classes from jars only), and the archive a training writer left when it exited;
     * without it if none could be made (the writers then start as they are, only slower).
     */
    private List<String> writerJvm(UUID id) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // The JVM's own warnings (an archive it cannot map, say) go to stderr: stdout is the writer's protocol.
        List<String> jvm = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xlog:disable", "-Xlog:all=warning:stderr", "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider", "-cp", jarredClassPath()));
        Path cache = data.resolve("writer.jsa");
        List<String> training = new ArrayList<>(jvm);
        training.add("-XX:ArchiveClassesAtExit=" + cache);
        Path trainingData = Files.createDirectories(data.resolve("cds-training"));
        training.addAll(List.of(CrashingWriter.class.getName(), trainingData.toString(), id.toString()));
        Process trainer = new ProcessBuilder(training).redirectErrorStream(true)
                .redirectOutput(data.resolve("cds-training.log").toFile()).start();
        trainer.getOutputStream().close(); // end of input: the writer exits after warming up, without saving
        boolean made = trainer.waitFor(120, TimeUnit.SECONDS) && trainer.exitValue() == 0 && Files.isRegularFile(cache);
        if (!made) {
            trainer.destroyForcibly();
            System.out.println("crash safety: no CDS archive for the writers: " + Files.readString(data.resolve("cds-training.log")));
            return jvm;
        }
        jvm.add(jvm.size() - 2, "-XX:SharedArchiveFile=" + cache);
        return jvm;
    }

    /** java.class.path with every directory in it packed into one jar (the jars stay as they are). */
    private String jarredClassPath() throws IOException {
        List<String> path = new ArrayList<>();
        List<String> jarArgs = new ArrayList<>(List.of("--create", "--file", data.resolve("writer-classes.jar").toString()));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (Files.isDirectory(Path.of(entry))) {
                jarArgs.addAll(List.of("-C", entry, "."));
            } else {
                path.add(entry);
            }
        }
        int rc = ToolProvider.findFirst("jar").orElseThrow().run(System.out, System.err, jarArgs.toArray(String[]::new));
        assertEquals(0, rc, "jar of the test's class directories");
        path.addFirst(data.resolve("writer-classes.jar").toString());
        return String.join(File.pathSeparator, path);
    }

    private void expectLine(Process child, BufferedReader out, String expected) throws IOException {
        String line = out.readLine();
        if (!expected.equals(line)) {
            fail("the writer printed " + line + " instead of " + expected + ": " + stderr(child));
        }
    }

    private String stderr(Process child) {
        try {
            child.waitFor(2, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.list(data)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".err")).map(f -> {
                    try {
                        return f.getFileName() + ": " + Files.readString(f);
                    } catch (IOException e) {
                        return e.toString();
                    }
                }).toList().toString();
            }
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    private boolean hasTempFile(UUID id) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("vms").resolve(id.toString()))) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(ConfigStore.TEMP_PREFIX));
        }
    }
}
