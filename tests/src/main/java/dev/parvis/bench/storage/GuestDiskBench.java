package dev.parvis.bench.storage;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.InvalidImageException;
import dev.parvis.root.run.GuestConsole;
import dev.parvis.root.run.GuestRun;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.VmStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest-driven storage figures: the gcc-built {@code disk-bench} guest run in-process the way
 * {@code run-guest} runs it (a {@link GuestRun} with a {@link VmStorage} holding one fresh dynamic VHDX
 * on LUN 0), its console captured and its result lines parsed. Each workload's line gives the guest's
 * IOPS and MiB/s with its I/O and for the same loop with the I/O removed, so the guest's own ceiling is
 * visible beside the measured figure.
 */
public final class GuestDiskBench {
    /** The workloads disk-bench reports, in its order (the sequential names carry its transfer size). */
    private static final List<Pattern> WORKLOADS = List.of(
            Pattern.compile("seqwrite-\\d+k-qd\\d+"), Pattern.compile("seqread-\\d+k-qd\\d+"), Pattern.compile("randread-4k-qd32"));
    private static final Pattern LINE = Pattern.compile(
            "\\[disk-bench] disk-bench: (\\S+) iops=(\\d+) mibps=(\\d+\\.\\d{2}) noio_iops=(\\d+) noio_mibps=(\\d+\\.\\d{2}) ratio=\\d+\\.\\d{3}");
    private static final long DISK_BYTES = 64L << 20;
    private static final long GUEST_RAM = 4L << 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** One workload's figures as the guest printed them. */
    public record Figure(String workload, long iops, double mibps, long noIoIops, double noIoMibps) {
        /** Guest IOPS with the I/O over IOPS of the same loop without it. */
        public double ratio() {
            return noIoIops == 0 ? 0 : iops / (double) noIoIops;
        }
    }

    private GuestDiskBench() {
    }

    /** Runs disk-bench once on {@code backend} against a fresh dynamic VHDX in {@code dir}; its figures in the guest's order. */
    public static List<Figure> run(Path dir, BackendChoice backend) throws IOException, InterruptedException {
        Path image = Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests")).resolve("disk-bench.elf");
        if (!Files.isRegularFile(image)) {
            throw new IOException("no guest image " + image + " (build with ./parvis build)");
        }
        Path disk = dir.resolve("guest-bench.vhdx");
        VhdxCreator.create(disk, CreateRequest.dynamic(DISK_BYTES));
        GuestSpec spec = new GuestSpec("disk-bench", ElfImage.read(image), GUEST_RAM);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(captured, true, StandardCharsets.UTF_8);
        HypervisorConfig config = new HypervisorConfig(HypervisorConfig.DEFAULT_POOL_BYTES, backend, HypervisorConfig.DEFAULT_RUN_SLICE);
        GuestRun.Outcome outcome;
        try (VmStorage storage = VmStorage.open(List.of(new DiskAttachment(0, 0, disk, false)));
             Hypervisor hv = Hypervisor.boot(config)) {
            GuestConsole guestConsole = new GuestConsole(console);
            hv.setDebugListener(guestConsole);
            outcome = new GuestRun(hv, guestConsole, console).run(spec, TIMEOUT, storage.devices());
        } catch (InvalidImageException e) {
            throw new IOException("disk-bench image refused: " + e.getMessage(), e);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        if (!(outcome instanceof GuestRun.Outcome.PoweredOff off) || off.status().orElse(0) != 0) {
            throw new IllegalStateException("disk-bench did not finish cleanly (" + outcome + "); its output:\n" + output);
        }
        return parse(output);
    }

    /** Exactly one line per workload, in order; anything missing or malformed fails with the guest's output. */
    static List<Figure> parse(String output) {
        List<Figure> figures = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches()) {
                figures.add(new Figure(m.group(1), Long.parseLong(m.group(2)), Double.parseDouble(m.group(3)),
                        Long.parseLong(m.group(4)), Double.parseDouble(m.group(5))));
            }
        }
        if (figures.size() != WORKLOADS.size()) {
            throw new IllegalStateException("disk-bench printed " + figures.size() + " result line(s), expected "
                    + WORKLOADS.size() + "; its output:\n" + output);
        }
        for (int i = 0; i < WORKLOADS.size(); i++) {
            if (!WORKLOADS.get(i).matcher(figures.get(i).workload()).matches()) {
                throw new IllegalStateException("disk-bench result line " + (i + 1) + " is for " + figures.get(i).workload()
                        + ", expected " + WORKLOADS.get(i).pattern() + "; its output:\n" + output);
            }
        }
        return figures;
    }
}
