package dev.parvis.wmi.cli;

import dev.parvis.root.cli.BackendOption;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmHost;
import dev.parvis.wmi.host.ManagementHost;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * `parvis host`: runs the VM host (automatic start actions) and its management API (Thrift over TLS)
 * until SIGINT or SIGTERM, then closes the API, applies every VM's automatic stop action and exits 0
 * only if all of them completed.
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Run the VM host and its management API (Thrift over TLS): start VMs per their automatic start action, and on Ctrl-C/SIGTERM apply their automatic stop action.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGINT/SIGTERM and every automatic stop action completed",
            "1:the host could not start, or an automatic stop action failed (e.g. a save failed and the VM was turned off)",
            "2:usage error",
            "130/143:a second SIGINT/SIGTERM cut the stop actions short"})
final class HostCommand implements Callable<Integer> {
    private static final List<String> STOP_SIGNALS = List.of("INT", "TERM");

    @Option(names = "--data-dir", description = "data directory (default: PARVIS_DATA_DIR, -Dparvis.data.dir or ~/.parvis)")
    Path dataDir;

    @Option(names = "--guests-dir", defaultValue = "${sys:parvis.guests.dir:-guest-sdk/target/guests}",
            description = "directory of built guests (default: ${DEFAULT-VALUE})")
    Path guestsDir;

    @Option(names = "--pool-mib", defaultValue = "1024", description = "hypervisor page pool in MiB (default: ${DEFAULT-VALUE})")
    long poolMiB;

    @Option(names = "--listen", defaultValue = "127.0.0.1:5989", description = "address of the management API (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--storage-dir", description = "a directory remote callers may name files in (repeatable; default: <data>/storage)")
    List<Path> storageDirs = new ArrayList<>();

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws InterruptedException {
        Path data = dataDir != null ? dataDir : ConfigStore.defaultDataDirectory();
        int colon = listen.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
        CountDownLatch stop = new CountDownLatch(1);
        // The stop actions run here, not in a shutdown hook, so their outcome can be the exit code.
        STOP_SIGNALS.forEach(name -> Signal.handle(new Signal(name), signal -> onSignal(stop, signal)));
        VmHost host = VmHost.start(new VmHost.Options(data, guestsDir, poolMiB << 20, backend.backend));
        host.problems().forEach(p -> System.err.println("parvis host: " + p));
        int startProblems = host.problems().size();
        host.service().subscribe(HostCommand::print);
        ManagementHost.Options options = ManagementHost.Options.of(data, guestsDir, address);
        if (!storageDirs.isEmpty()) {
            options = new ManagementHost.Options(data, address, storageDirs, guestsDir, options.limits());
        }
        ManagementHost api = ManagementHost.start(host.service(), options);
        host.service().list().forEach(vm -> System.out.printf("parvis host: %s is %s%n", vm.name(), vm.state().displayName()));
        System.out.printf("parvis host: management API on %s:%d (TLS; certificate %s; audit log %s)%n",
                api.address().getHostString(), api.address().getPort(), api.certificate(), api.auditLog());
        api.createdCredential().ifPresent(c -> System.out.println(
                "parvis host: first administrator credential written to " + c + " (readable by its owner only)"));
        System.out.println("parvis host: running " + host.service().list().size() + " VM(s) from " + data + "; Ctrl-C to stop");
        stop.await();
        System.out.println("parvis host: stopping: applying the VMs' automatic stop actions");
        api.close();
        host.close();
        List<String> problems = host.problems();
        List<String> stopProblems = problems.subList(startProblems, problems.size());
        stopProblems.forEach(p -> System.err.println("parvis host: " + p));
        System.out.println("parvis host: stopped" + (stopProblems.isEmpty() ? "" : " with " + stopProblems.size() + " problem(s)"));
        return stopProblems.isEmpty() ? 0 : 1;
    }

    /** The first signal starts the orderly stop; a second one ends the process at once, as the shell would. */
    private static void onSignal(CountDownLatch stop, Signal signal) {
        if (stop.getCount() == 0) {
            System.err.println("parvis host: SIG" + signal.getName() + " again: stopping without waiting for the stop actions");
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        stop.countDown();
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
