package dev.parvis.root.cli;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.loader.ElfImage;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.run.GuestConsole;
import dev.parvis.root.run.GuestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `parvis run-guest NAME`: boots one gcc-built guest in a child partition and streams its debug output. */
@Command(name = "run-guest", mixinStandardHelpOptions = true,
        description = "Boot one guest image in a new child partition and stream its debug output.")
final class RunGuestCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "guest name (guest-sdk/target/guests/NAME.elf) or a path to an ELF64 image")
    String name;

    @Option(names = "--guests-dir", description = "directory of built guests (default: ${DEFAULT-VALUE})",
            defaultValue = "${sys:parvis.guests.dir:-guest-sdk/target/guests}")
    Path guestsDir;

    @Option(names = "--ram-mib", description = "guest RAM in MiB (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int ramMib;

    @Mixin
    BackendOption backend;

    @Option(names = "--timeout", description = "seconds before the run is abandoned (default: ${DEFAULT-VALUE})", defaultValue = "30")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        Path image = name.contains("/") || name.endsWith(".elf") ? Path.of(name) : guestsDir.resolve(name + ".elf");
        if (!Files.isRegularFile(image)) {
            System.err.println("parvis: no guest image " + image + " (build with ./parvis build, or give a path)");
            return 2;
        }
        GuestSpec spec = new GuestSpec(name, ElfImage.parse(Files.readAllBytes(image)), (long) ramMib << 20);
        HypervisorConfig config = new HypervisorConfig(HypervisorConfig.DEFAULT_POOL_BYTES, backend.backend, HypervisorConfig.DEFAULT_RUN_SLICE);
        try (Hypervisor hv = Hypervisor.boot(config)) {
            GuestConsole console = new GuestConsole(System.out);
            hv.setDebugListener(console);
            GuestRun.Outcome outcome = new GuestRun(hv, console, System.out).run(spec, Duration.ofSeconds(timeoutSeconds));
            return switch (outcome) {
                case GuestRun.Outcome.PoweredOff off -> {
                    System.out.printf("root: %s powered off after %d message(s) to the root%n", name, off.messagesReceived());
                    yield 0;
                }
                case GuestRun.Outcome.Failed failed -> {
                    System.err.println("parvis: " + name + " failed: " + failed.reason());
                    yield 1;
                }
                case GuestRun.Outcome.TimedOut t -> {
                    System.err.println("parvis: " + name + " did not power off within " + t.after().toSeconds() + " s");
                    yield 1;
                }
            };
        }
    }
}
