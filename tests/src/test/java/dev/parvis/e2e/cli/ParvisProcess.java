package dev.parvis.e2e.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a fresh JVM running the entry point ./parvis runs (ParvisCommand), on this test's classpath. */
final class ParvisProcess {
    private ParvisProcess() {
    }

    static ProcessBuilder of(String... args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "-Dparvis.guests.dir=" + System.getProperty("parvis.guests.dir"), "dev.parvis.root.cli.ParvisCommand"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }
}
