package dev.parvis.devices.vhdx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs qemu-img and qemu-io (Debian package qemu-utils, installed by ./parvis). Their absence fails the
 * test with a message saying how to install them: interoperability is checked, never skipped.
 */
final class QemuImg {
    /** Exit status and combined output of one command. */
    record Result(int exitCode, String output) {
    }

    private QemuImg() {
    }

    static Path tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return fail(name + " not found on PATH: install the Debian package qemu-utils "
                + "(apt-get install -y qemu-utils; ./parvis does this)");
    }

    static Result run(String toolName, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tool(toolName).toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed and returns its output. */
    static String ok(String toolName, String... args) throws IOException, InterruptedException {
        Result r = run(toolName, args);
        if (r.exitCode() != 0) {
            fail(toolName + " " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** {@code qemu-img check} must report no errors. */
    static String check(Path image) throws IOException, InterruptedException {
        return ok("qemu-img", "check", "-f", "vhdx", image.toString());
    }

    /** The image's bytes as qemu reads them ({@code qemu-img convert -O raw}). */
    static byte[] convertToRaw(Path image, Path scratch) throws IOException, InterruptedException {
        Path raw = scratch.resolve(image.getFileName() + ".raw");
        Files.deleteIfExists(raw);
        ok("qemu-img", "convert", "-f", "vhdx", "-O", "raw", image.toString(), raw.toString());
        try {
            return Files.readAllBytes(raw);
        } finally {
            Files.delete(raw);
        }
    }

    /** The virtual size {@code qemu-img info --output=json} reports. */
    static long virtualSize(Path image) throws IOException, InterruptedException {
        String json = ok("qemu-img", "info", "-f", "vhdx", "--output=json", image.toString());
        int at = json.indexOf("\"virtual-size\":");
        if (at < 0) {
            return fail("no virtual-size in qemu-img info output:\n" + json);
        }
        String rest = json.substring(at + "\"virtual-size\":".length()).trim();
        return Long.parseLong(rest.substring(0, rest.indexOf(',') >= 0 ? rest.indexOf(',') : rest.indexOf('\n')).trim());
    }
}
