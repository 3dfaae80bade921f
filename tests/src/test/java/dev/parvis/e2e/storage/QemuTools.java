package dev.parvis.e2e.storage;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * qemu-img and qemu-io (Debian package qemu-utils, which ./parvis installs). A missing tool fails the
 * test saying how to install it: interoperability is checked, never skipped.
 */
final class QemuTools {
    private QemuTools() {
    }

    private static Path find(String name) {
        Stream<String> dirs = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                Stream.of("/usr/bin", "/usr/local/bin"));
        return dirs.filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst()
                .orElseGet(() -> fail(name + " is missing: the storage tests need qemu-utils "
                        + "(apt-get install -y qemu-utils; ./parvis installs it)"));
    }

    /** Runs {@code tool args...}, which must exit 0; returns its output. */
    static String ok(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(find(tool).toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    static void createDynamic(Path image, long bytes) throws IOException, InterruptedException {
        ok("qemu-img", "create", "-f", "vhdx", "-o", "subformat=dynamic", image.toString(), Long.toString(bytes));
    }

    /** {@code qemu-img check} must find no errors (it exits non-zero when it does). */
    static String check(Path image) throws IOException, InterruptedException {
        return ok("qemu-img", "check", "-f", "vhdx", image.toString());
    }

    /** The disk's bytes as qemu reads them ({@code qemu-img convert -O raw}). */
    static byte[] raw(Path image) throws IOException, InterruptedException {
        Path raw = image.resolveSibling(image.getFileName() + ".raw");
        Files.deleteIfExists(raw);
        ok("qemu-img", "convert", "-f", "vhdx", "-O", "raw", image.toString(), raw.toString());
        try {
            return Files.readAllBytes(raw);
        } finally {
            Files.delete(raw);
        }
    }

    static long virtualSize(Path image) throws IOException, InterruptedException {
        String json = ok("qemu-img", "info", "-f", "vhdx", "--output=json", image.toString());
        var m = java.util.regex.Pattern.compile("\"virtual-size\":\\s*(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : fail("no virtual-size in:\n" + json);
    }

    /** {@code qemu-io -c "write -P byte offset length"} on the image. */
    static void writeByte(Path image, int value, long offset, long length) throws IOException, InterruptedException {
        ok("qemu-io", "-f", "vhdx", "-c", "write -P " + value + " " + offset + " " + length, image.toString());
    }
}
