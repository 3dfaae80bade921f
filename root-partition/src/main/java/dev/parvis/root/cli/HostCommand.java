package dev.parvis.root.cli;

import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmHost;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `parvis host`: runs the VM host (automatic start actions) until Ctrl-C or SIGTERM (automatic stop actions). */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Run the VM host: start VMs per their automatic start action, and on Ctrl-C/SIGTERM apply their automatic stop action.")
final class HostCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "data directory (default: PARVIS_DATA_DIR, -Dparvis.data.dir or ~/.parvis)")
    Path dataDir;

    @Option(names = "--guests-dir", defaultValue = "${sys:parvis.guests.dir:-guest-sdk/target/guests}",
            description = "directory of built guests (default: ${DEFAULT-VALUE})")
    Path guestsDir;

    @Option(names = "--pool-mib", defaultValue = "1024", description = "hypervisor page pool in MiB (default: ${DEFAULT-VALUE})")
    long poolMiB;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws InterruptedException {
        Path data = dataDir != null ? dataDir : ConfigStore.defaultDataDirectory();
        VmHost host = VmHost.start(new VmHost.Options(data, guestsDir, poolMiB << 20, backend.backend));
        host.problems().forEach(p -> System.err.println("parvis host: " + p));
        host.service().subscribe(HostCommand::print);
        host.service().list().forEach(vm -> System.out.printf("parvis host: %s is %s%n", vm.name(), vm.state().displayName()));
        System.out.println("parvis host: running " + host.service().list().size() + " VM(s) from " + data + "; Ctrl-C to stop");
        // The shutdown hook VmHost registered applies the automatic stop actions on Ctrl-C / SIGTERM.
        new CountDownLatch(1).await();
        return 0;
    }

    private static void print(VmEvent e) {
        switch (e) {
            case VmEvent.StateChanged s -> System.out.printf("parvis host: %s %s -> %s%n", s.name(), s.from().displayName(), s.to().displayName());
            case VmEvent.Failed f -> System.out.printf("parvis host: %s failed: %s%n", f.name(), f.reason());
            case VmEvent.Notice n -> System.out.printf("parvis host: %s: %s%n", n.name(), n.message());
            case VmEvent.ConfigChanged c -> { }
            case VmEvent.Removed r -> System.out.printf("parvis host: %s removed%n", r.name());
        }
    }
}
