package dev.parvis.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hypercall comparison on KVM: the hcbench guest's SignalEvent round trip against the bare KVM
 * exit measured by a small C program (src/main/c/kvm_exit_bench.c, built with gcc): an OUT exit at
 * CPL 0, and the MMIO-store exit a CPL-3 guest takes, which is what the deprivileged hypercall page
 * is built on. Batches of guest calls and of the C program alternate.
 */
final class KvmExitBaseline {
    private static final long CALLS = 2_000;
    private static final int WARM_UP = 2;
    private static final int REPETITIONS = 5;
    private static final Pattern RESULT = Pattern.compile("out_us=([0-9.]+) mmio_us=([0-9.]+)");

    void compare(PrintStream out, GuestSession hcbench) throws Exception {
        Path program = program();
        Samples guest = new Samples();
        Samples outExit = new Samples();
        Samples mmioExit = new Samples();
        for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
            double g = hcbench.roundTrip(CALLS, HypercallBench::checkReply) / (double) CALLS / 1000.0;
            double[] bare = run(program);
            if (i >= WARM_UP) {
                guest.add(g);
                outExit.add(bare[0]);
                mmioExit.add(bare[1]);
            }
        }
        String mode = hcbench.hypervisor().backend() instanceof dev.parvis.hv.backend.kvm.KvmBackend kvm
                ? "CPL " + kvm.mode().cpl() : "?";
        out.printf("hypercall: kvm (%s) SignalEvent round trip %.1f us median, bare KVM OUT exit round trip from C %.1f us ratio=%.2f%n",
                mode, guest.median(), outExit.median(), guest.median() / outExit.median());
        out.printf("hypercall: kvm (%s) SignalEvent round trip %.1f us median, bare KVM exit a CPL-3 guest can take"
                + " (MMIO store, from C) %.1f us ratio=%.2f%n", mode, guest.median(), mmioExit.median(), guest.median() / mmioExit.median());
        out.printf("hypercall: context: median of %d interleaved batches of %d calls / %d C exits after %d warm-up batches;"
                        + " SignalEvent %.1f-%.1f us, OUT %.1f-%.1f us, MMIO %.1f-%.1f us%n", REPETITIONS, CALLS, CALLS, WARM_UP,
                guest.min(), guest.max(), outExit.min(), outExit.max(), mmioExit.min(), mmioExit.max());
    }

    /** {out_us, mmio_us} from one run of the C program. */
    private static double[] run(Path program) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(program.toString(), Long.toString(CALLS), "1").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(program + " failed: " + output);
        }
        Matcher m = RESULT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException(program + " printed no result: " + output);
        }
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    /** The gcc-built program from the class path (copied out of a jar if need be). */
    private static Path program() throws IOException, URISyntaxException {
        URL url = KvmExitBaseline.class.getResource("/native/kvm-exit-bench");
        if (url == null) {
            throw new IOException("missing /native/kvm-exit-bench (built by the tests module with gcc)");
        }
        if ("file".equals(url.getProtocol())) {
            return Path.of(url.toURI());
        }
        Path copy = Files.createTempFile("parvis-kvm-exit-bench", "");
        copy.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!copy.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + copy + " executable");
        }
        return copy;
    }
}
