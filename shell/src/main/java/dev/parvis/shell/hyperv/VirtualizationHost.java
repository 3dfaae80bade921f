package dev.parvis.shell.hyperv;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.client.ManagementClient;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * One host as the Hyper-V commands use it: WQL queries for VMs and their settings, methods on the
 * management services, and jobs waited for with progress. Every call goes through the management
 * API's client; failures come back as shell errors.
 */
public final class VirtualizationHost {
    static final String VM_FILTER = "SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'";
    private static final long POLL_MS = 40;

    private final HostConnection connection;

    VirtualizationHost(HostConnection connection) {
        this.connection = connection;
    }

    public String computerName() {
        return connection.computerName();
    }

    ManagementClient client() {
        return connection.client();
    }

    List<CimInstance> query(String wql) {
        return HyperVErrors.call(() -> connection.client().query(wql));
    }

    CimInstance get(ObjectPath path) {
        return HyperVErrors.call(() -> connection.client().get(path));
    }

    MethodResult invoke(ObjectPath target, String method, Map<String, CimValue> in) {
        return HyperVErrors.call(() -> connection.client().invoke(target, method, in));
    }

    /** The VMs (Msvm_ComputerSystem of caption "Virtual Machine"). */
    List<CimInstance> virtualMachines() {
        return query(VM_FILTER);
    }

    Optional<CimInstance> vmById(String guid) {
        return query(VM_FILTER + " AND Name = '" + quote(guid.toUpperCase(Locale.ROOT)) + "'").stream().findFirst();
    }

    /** Instances of a per-VM class keyed by the VM's GUID (from their InstanceID, DeviceID, SystemName or Name). */
    Map<String, CimInstance> byVm(String className) {
        Map<String, CimInstance> out = new HashMap<>();
        for (CimInstance i : query("SELECT * FROM " + className)) {
            String vm = vmGuid(i);
            if (vm != null) {
                out.putIfAbsent(vm, i);
            }
        }
        return out;
    }

    /** All instances of a per-VM class belonging to {@code vmGuid}. */
    List<CimInstance> ofVm(String className, String vmGuid) {
        return query("SELECT * FROM " + className).stream().filter(i -> vmGuid.equalsIgnoreCase(vmGuid(i))).toList();
    }

    static String vmGuid(CimInstance i) {
        for (String key : List.of("InstanceID", "DeviceID")) {
            Optional<String> id = i.text(key);
            if (id.isPresent() && id.get().startsWith("Microsoft:")) {
                String rest = id.get().substring("Microsoft:".length());
                int slash = rest.indexOf('\\');
                return (slash < 0 ? rest : rest.substring(0, slash)).toUpperCase(Locale.ROOT);
            }
        }
        return i.text("SystemName").or(() -> i.text("Name")).map(s -> s.toUpperCase(Locale.ROOT)).orElse(null);
    }

    ObjectPath managementService() {
        return service("Msvm_VirtualSystemManagementService");
    }

    ObjectPath imageService() {
        return service("Msvm_ImageManagementService");
    }

    private ObjectPath service(String cls) {
        return query("SELECT * FROM " + cls).stream().findFirst().map(CimInstance::path)
                .orElseThrow(() -> HyperVErrors.error("The host has no " + cls + ".", dev.parvis.shell.runtime.ErrorCategory.RESOURCE_UNAVAILABLE,
                        "ServiceUnavailable"));
    }

    /**
     * Waits for what a method started: returns at once for 0, polls the job for 4096 (reporting its
     * PercentComplete to {@code progress}, calling {@code checkpoint} so Ctrl-C stops the wait), and
     * throws the host's reason when the method or its job failed.
     */
    CimInstance await(MethodResult r, IntConsumer progress, Runnable checkpoint) {
        if (r.returnValue().equals(ReturnCode.COMPLETED)) {
            progress.accept(100);
            return null;
        }
        if (!r.returnValue().equals(ReturnCode.JOB_STARTED) || r.job().isEmpty()) {
            throw HyperVErrors.failed(r.returnValue(), r.outParameters().containsKey("ErrorDescription")
                    ? r.outParameters().get("ErrorDescription").display() : "");
        }
        ObjectPath jobPath = r.job().get();
        long last = -1;
        while (true) {
            CimInstance job = get(jobPath);
            long state = job.integer("JobState").orElse(0L);
            long percent = job.integer("PercentComplete").orElse(0L);
            if (percent != last) {
                last = percent;
                progress.accept((int) percent);
            }
            if (state >= 7 && state <= 10) {
                if (state != 7) {
                    throw HyperVErrors.failed(new ReturnCode(job.integer("ErrorCode").orElse(32768L).intValue()),
                            job.text("ErrorDescription").orElse("the job ended in state " + state));
                }
                return job;
            }
            checkpoint.run();
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                checkpoint.run();
                throw HyperVErrors.error("Interrupted while waiting for the host.", dev.parvis.shell.runtime.ErrorCategory.OPERATION_STOPPED,
                        "Interrupted");
            }
        }
    }

    static String quote(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }
}
