package dev.parvis.root.cli;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.unicorn.UnicornBackend;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.InvalidImageException;
import dev.parvis.root.run.GuestConsole;
import dev.parvis.root.run.GuestRun;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.VmStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `parvis run-guest NAME`: boots one gcc-built guest in a child partition, streams its debug output, exits with its status. */
@Command(name = "run-guest", mixinStandardHelpOptions = true,
        description = "Boot one guest image in a new child partition, stream its debug output, and exit with the status its main returned.",
        exitCodeOnInvalidInput = RunGuestExitCode.USAGE, exitCodeOnExecutionException = RunGuestExitCode.HOST_FAILED,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0-119:the status the guest reported at power-off (main's return value; 0 if it reported none)",
            "120:the guest reported a status outside 0-119",
            "121:the image or a --disk file was refused (missing, not a regular file, too large, malformed, does not fit)",
            "122:usage error",
            "123:the guest failed: its partition ended without powering off",
            "124:the guest did not power off within --timeout",
            "125:parvis itself failed"})
final class RunGuestCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "guest name (guest-sdk/target/guests/NAME.elf) or a path to an ELF64 image")
    String name;

    @Option(names = "--guests-dir", description = "directory of built guests (default: ${DEFAULT-VALUE})",
            defaultValue = "${sys:parvis.guests.dir:-guest-sdk/target/guests}")
    Path guestsDir;

    @Option(names = "--ram-mib", description = "guest RAM in MiB (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int ramMib;

    @Option(names = "--timeout", description = "seconds before the run is abandoned (default: ${DEFAULT-VALUE})", defaultValue = "30")
    int timeoutSeconds;

    @Option(names = "--disk", paramLabel = "PATH.vhdx",
            description = "attach a VHDX file to SCSI controller 0 (repeatable: LUN 0, 1, ... in order)")
    List<Path> disks = new ArrayList<>();

    @Option(names = "--disk-read-only", paramLabel = "PATH.vhdx",
            description = "like --disk, but the guest cannot write it (repeatable; LUNs follow the --disk ones)")
    List<Path> readOnlyDisks = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path image = name.contains("/") || name.endsWith(".elf") ? Path.of(name) : guestsDir.resolve(name + ".elf");
        GuestSpec spec;
        try {
            spec = new GuestSpec(name, ElfImage.read(image), (long) ramMib << 20);
        } catch (InvalidImageException | IllegalArgumentException e) {
            System.err.println("parvis run-guest: " + e.getMessage() + (name.contains("/") ? "" : " (build with ./parvis build, or give a path)"));
            return RunGuestExitCode.IMAGE_REFUSED;
        }
        VmStorage storage;
        try {
            storage = VmStorage.open(attachments());
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("parvis run-guest: " + e.getMessage());
            return RunGuestExitCode.IMAGE_REFUSED;
        }
        HypervisorConfig config = new HypervisorConfig(HypervisorConfig.DEFAULT_POOL_BYTES, UnicornBackend::new, HypervisorConfig.DEFAULT_RUN_SLICE);
        try (storage; Hypervisor hv = Hypervisor.boot(config)) {
            GuestConsole console = new GuestConsole(System.out);
            hv.setDebugListener(console);
            GuestRun.Outcome outcome;
            try {
                outcome = new GuestRun(hv, console, System.out).run(spec, Duration.ofSeconds(timeoutSeconds),
                        disks.isEmpty() && readOnlyDisks.isEmpty() ? List.of() : storage.devices());
            } catch (InvalidImageException e) {
                System.err.println("parvis run-guest: " + name + ": " + e.getMessage());
                return RunGuestExitCode.IMAGE_REFUSED;
            }
            report(outcome);
            return RunGuestExitCode.of(outcome);
        }
    }

    /** --disk files on LUN 0, 1, ... of controller 0, then the --disk-read-only ones. */
    private List<DiskAttachment> attachments() {
        List<DiskAttachment> out = new ArrayList<>();
        for (Path p : disks) {
            out.add(new DiskAttachment(0, out.size(), p, false));
        }
        for (Path p : readOnlyDisks) {
            out.add(new DiskAttachment(0, out.size(), p, true));
        }
        return out;
    }

    private void report(GuestRun.Outcome outcome) {
        switch (outcome) {
            case GuestRun.Outcome.PoweredOff off -> {
                String status = off.status().isPresent() ? "with status " + off.status().getAsInt() : "without a status";
                System.out.printf("root: %s powered off %s after %d message(s) to the root%n", name, status, off.messagesReceived());
                if (RunGuestExitCode.of(outcome) == RunGuestExitCode.STATUS_OUT_OF_RANGE) {
                    System.err.printf("parvis run-guest: %s reported status %d, outside 0-%d: exit code %d%n", name,
                            off.status().getAsInt(), RunGuestExitCode.MAX_GUEST_STATUS, RunGuestExitCode.STATUS_OUT_OF_RANGE);
                }
            }
            case GuestRun.Outcome.Failed failed -> System.err.println("parvis run-guest: " + name + " failed: " + failed.reason());
            case GuestRun.Outcome.TimedOut t ->
                    System.err.println("parvis run-guest: " + name + " did not power off within " + t.after().toSeconds() + " s");
        }
    }
}
