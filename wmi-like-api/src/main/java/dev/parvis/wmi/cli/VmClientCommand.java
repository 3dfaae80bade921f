package dev.parvis.wmi.cli;

import dev.parvis.root.config.ConfigStore;
import dev.parvis.wmi.cim.CimException;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.ConnectionException;
import dev.parvis.wmi.client.JobFailedException;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `parvis vm start|stop|turn-off|save|pause|resume NAME` and `parvis vm query "WQL"`: thin clients
 * of the management API of the running host (its endpoint and certificate from the data
 * directory; the first administrator's credential unless --credential names another).
 */
@Command(name = "vm", mixinStandardHelpOptions = true, description = "Control VMs through the running host's management API.",
        subcommands = {VmClientCommand.Start.class, VmClientCommand.Stop.class, VmClientCommand.TurnOff.class,
                VmClientCommand.Save.class, VmClientCommand.Pause.class, VmClientCommand.Resume.class, VmClientCommand.Query.class})
final class VmClientCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Where the host is and who we are. */
    static final class Connection {
        @Option(names = "--data-dir", description = "the host's data directory (default: PARVIS_DATA_DIR, -Dparvis.data.dir or ~/.parvis)")
        Path dataDir;

        @Option(names = "--credential", description = "credential file (user=..., password=...; default: the first administrator's)")
        Path credential;

        ManagementClient connect() {
            ClientOptions options = ClientOptions.fromDataDirectory(dataDir != null ? dataDir : ConfigStore.defaultDataDirectory());
            if (credential != null) {
                Properties p = ClientOptions.credential(credential);
                options = options.withCredential(p.getProperty("user"), p.getProperty("password"));
            }
            return ThriftManagementClient.connect(options);
        }
    }

    /** Requests a state change (RequestStateChange) and waits for its job, printing its progress. */
    abstract static class StateChange implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        Connection connection;

        abstract String verb();

        /** The RequestedState code (reference section 3.2). */
        abstract int requested();

        @Override
        public Integer call() {
            return run(() -> {
                try (ManagementClient client = connection.connect()) {
                    CimInstance vm = client.virtualMachine(name).orElse(null);
                    if (vm == null) {
                        System.err.println("parvis vm " + verb() + ": no VM named '" + name + "'");
                        return 1;
                    }
                    MethodResult r = client.invoke(vm.path(), "RequestStateChange", Map.of("RequestedState", CimValue.of(requested())));
                    CimInstance job = client.awaitJob(r, Duration.ofMinutes(5), j -> System.out.printf("parvis vm %s: %s %d%%%n", verb(),
                            name, j.integer("PercentComplete").orElse(0L)));
                    CimInstance after = client.get(vm.path());
                    long state = after.integer("EnabledState").orElse(0L);
                    System.out.printf("parvis vm %s: %s is now %s (EnabledState %d); job took %s%n", verb(), name,
                            EnabledStates.name(state), state, job.text("ElapsedTime").orElse("-"));
                    return 0;
                }
            });
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a VM (restores a saved one): RequestStateChange(2).")
    static final class Start extends StateChange {
        String verb() {
            return "start";
        }

        int requested() {
            return 2;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused VM: RequestStateChange(2).")
    static final class Resume extends StateChange {
        String verb() {
            return "resume";
        }

        int requested() {
            return 2;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Shut a VM down through its shutdown integration service (else turn it off): RequestStateChange(4).")
    static final class Stop extends StateChange {
        String verb() {
            return "stop";
        }

        int requested() {
            return 4;
        }
    }

    @Command(name = "turn-off", mixinStandardHelpOptions = true, description = "Turn a VM off: RequestStateChange(3).")
    static final class TurnOff extends StateChange {
        String verb() {
            return "turn-off";
        }

        int requested() {
            return 3;
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true, description = "Save a VM's state: RequestStateChange(6).")
    static final class Save extends StateChange {
        String verb() {
            return "save";
        }

        int requested() {
            return 6;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a VM: RequestStateChange(9).")
    static final class Pause extends StateChange {
        String verb() {
            return "pause";
        }

        int requested() {
            return 9;
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true, description = "Run a WQL query and print each instance.")
    static final class Query implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "WQL")
        String wql;

        @Mixin
        Connection connection;

        @Override
        public Integer call() {
            return run(() -> {
                try (ManagementClient client = connection.connect()) {
                    var result = client.query(wql);
                    for (CimInstance i : result) {
                        System.out.println(i.path());
                        i.properties().forEach((k, v) -> System.out.printf("  %-28s %s%n", k, v.display()));
                    }
                    System.out.println(result.size() + " instance(s)");
                    return 0;
                }
            });
        }
    }

    private interface Body {
        int run();
    }

    private static int run(Body body) {
        try {
            return body.run();
        } catch (CimException | JobFailedException | ConnectionException e) {
            System.err.println("parvis vm: " + e.getMessage());
            return 1;
        } catch (java.io.UncheckedIOException e) {
            System.err.println("parvis vm: " + e.getMessage());
            return 1;
        }
    }
}
