package dev.parvis.root.vm;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.config.ConfigLoad;
import dev.parvis.root.config.ConfigStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host process: boots the hypervisor, runs the management service over a data directory,
 * takes every VM configuration under management (reporting corrupt or unknown-version files
 * without touching them), honours each VM's AutomaticStartAction, and on {@link #close()} — or the
 * JVM's shutdown hook — its AutomaticStopAction, waiting for each to finish so no saved state is
 * left half-written.
 */
public final class VmHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmHost.class);
    private static final Duration ACTION_TIMEOUT = Duration.ofSeconds(60);

    /** How to run the host. */
    public record Options(Path dataDirectory, Path guestsDir, long poolBytes, BackendChoice backend) {
        public static Options defaults() {
            return new Options(ConfigStore.defaultDataDirectory(),
                    Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests")), HypervisorConfig.DEFAULT_POOL_BYTES,
                    BackendChoice.AUTO);
        }

        /** A host on {@code dataDirectory} on the backend {@code -Dparvis.backend} names (auto when unset). */
        public static Options of(Path dataDirectory, Path guestsDir, long poolBytes) {
            return new Options(dataDirectory, guestsDir, poolBytes, BackendChoice.fromSystemProperty(BackendChoice.AUTO));
        }
    }

    private final Hypervisor hv;
    private final VmManagementService service;
    private final List<String> problems = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    private VmHost(Options options) {
        this.hv = Hypervisor.boot(new HypervisorConfig(options.poolBytes(), options.backend(), HypervisorConfig.DEFAULT_RUN_SLICE));
        this.service = new VmManagementService(hv, new ConfigStore(options.dataDirectory()), options.guestsDir());
        this.shutdownHook = Thread.ofPlatform().name("parvis-host-shutdown").unstarted(this::closeFromHook);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Boots a host: loads the VMs and runs their automatic start actions (waiting for them). */
    public static VmHost start(Options options) {
        VmHost host = new VmHost(options);
        try {
            host.loadAndAutoStart();
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        return host;
    }

    public VmManagementService service() {
        return service;
    }

    /** Configuration files that could not be taken under management, and automatic actions that failed. */
    public List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    private void loadAndAutoStart() {
        for (ConfigLoad problem : service.loadAll()) {
            String text = switch (problem) {
                case ConfigLoad.Corrupt c -> "corrupt VM configuration %s left untouched: %s".formatted(c.file(), c.reason());
                case ConfigLoad.UnknownVersion u -> "VM configuration %s has unknown version %d, left untouched".formatted(u.file(), u.version());
                case ConfigLoad.Loaded l -> null;
            };
            if (text != null) {
                report(text);
            }
        }
        List<Map.Entry<String, CompletableFuture<VmState>>> starts = new ArrayList<>();
        for (VmManagementService.VmInfo vm : service.list()) {
            if (shouldStart(vm)) {
                starts.add(Map.entry("automatic start of '" + vm.name() + "'", service.start(vm.id())));
            }
        }
        await(starts);
    }

    private boolean shouldStart(VmManagementService.VmInfo vm) {
        return switch (vm.config().automaticStartAction()) {
            case NOTHING -> false;
            case START -> true;
            case START_IF_RUNNING -> HostStateMarker.read(service.store().vmDirectory(vm.id()))
                    .map(s -> s.equals("Running") || s.equals("Paused") || s.equals("Saved")).orElse(false);
        };
    }

    private void closeFromHook() {
        if (!closed.get()) {
            LOG.info("host stopping (signal): running the VMs' automatic stop actions");
            shutDown();
        }
    }

    /** Runs every VM's AutomaticStopAction, then stops the service and the hypervisor. Idempotent. */
    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or will run; shutDown is idempotent.
        }
        shutDown();
    }

    private void shutDown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        service.beginHostStop();
        List<Map.Entry<String, CompletableFuture<VmState>>> actions = new ArrayList<>();
        for (VmManagementService.VmInfo vm : service.list()) {
            if (VmTransitions.isLive(vm.state())) {
                actions.add(Map.entry("automatic stop action " + vm.config().automaticStopAction() + " of '" + vm.name() + "'",
                        stopAction(vm)));
            }
        }
        await(actions);
        service.close();
        hv.close();
    }

    private CompletableFuture<VmState> stopAction(VmManagementService.VmInfo vm) {
        AutomaticStopAction action = vm.config().automaticStopAction();
        return switch (action) {
            case SAVE -> service.save(vm.id()).exceptionallyCompose(e -> {
                report("saving '%s' failed (%s): turning it off".formatted(vm.name(), e.getMessage()));
                return service.turnOff(vm.id());
            });
            case TURN_OFF -> service.turnOff(vm.id());
            case SHUT_DOWN -> service.stop(vm.id());
        };
    }

    private void await(List<Map.Entry<String, CompletableFuture<VmState>>> work) {
        for (Map.Entry<String, CompletableFuture<VmState>> e : work) {
            try {
                e.getValue().get(ACTION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception failure) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                report(e.getKey() + " failed: " + cause.getMessage());
            }
        }
    }

    private void report(String problem) {
        LOG.warn(problem);
        synchronized (problems) {
            problems.add(problem);
        }
    }
}
