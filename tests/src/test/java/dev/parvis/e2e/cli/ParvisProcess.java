package dev.parvis.e2e.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a fresh JVM running the entry point ./parvis runs (ParvisCommand), on this test's classpath. */
public final class ParvisProcess {
    private ParvisProcess() {
    }

    public static ProcessBuilder of(String... args) {
        return java("dev.parvis.root.cli.ParvisCommand", args);
    }

    /** The entry point ./parvis runs for {@code host}, {@code user} and the VM API clients. */
    static ProcessBuilder management(String... args) {
        return java("dev.parvis.wmi.cli.ManagementCommand", args);
    }

    private static ProcessBuilder java(String main, String... args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // C1 only: these JVMs live seconds, and on CI's two cores the C2 compiler threads of a fresh JVM
        // compete with its own start-up, its guest and the test JVM (a crash-consistency child reached its
        // first disk write in 2.2-2.6 s instead of 4.0-4.1 s). The code run is the same; only its JIT tier differs.
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "-Dparvis.guests.dir=" + System.getProperty("parvis.guests.dir"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }
}
