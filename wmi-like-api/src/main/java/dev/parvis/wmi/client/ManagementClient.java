package dev.parvis.wmi.client;

import dev.parvis.wmi.cim.CimException;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A session with a host's management API (its root\virtualization\v2 in spirit). Every call may
 * throw a {@link CimException}: {@code WqlSyntaxException}, {@code NotFoundException},
 * {@code AccessDeniedException} (a reader invoking a method, a path outside the storage
 * directories), {@code InvalidParameterException}, {@code AuthenticationException},
 * {@code BusyException}; a broken connection is a {@link ConnectionException}.
 *
 * <pre>{@code
 * try (ManagementClient host = ThriftManagementClient.connect(ClientOptions.fromDataDirectory(dataDir))) {
 *     CimInstance vm = host.virtualMachine("web01").orElseThrow();
 *     host.awaitJob(host.invoke(vm.path(), "RequestStateChange", Map.of("RequestedState", CimValue.of(2))), Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public interface ManagementClient extends AutoCloseable {

    /** SELECT ... FROM class [WHERE ...], ASSOCIATORS OF {path} ..., REFERENCES OF {path} .... */
    List<CimInstance> query(String wql);

    /** The instance at {@code path}. */
    CimInstance get(ObjectPath path);

    /** Invokes a method: 0 done, 4096 with a job to wait for ({@link #awaitJob}), else an error code. */
    MethodResult invoke(ObjectPath target, String method, Map<String, CimValue> in);

    /** Subscribes to an event query (SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA ...). */
    EventSubscription subscribe(String eventWql);

    /** The user this session acts as, and their role ("administrator" or "reader"). */
    String user();

    String role();

    @Override
    void close();

    /** The VM named {@code name} (its Msvm_ComputerSystem), if any. */
    default Optional<CimInstance> virtualMachine(String name) {
        String quoted = "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'";
        return query("SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine' AND ElementName = " + quoted)
                .stream().findFirst();
    }

    /** Waits for a method's job to end; see {@link #awaitJob(MethodResult, Duration, Consumer)}. */
    default CimInstance awaitJob(MethodResult result, Duration timeout) {
        return awaitJob(result, timeout, job -> { });
    }

    /**
     * The polling loop every WMI client writes (reference section 3.5): for 0 returns an empty job
     * instance; for 4096 polls the job until it ends, calling {@code progress} on each change of
     * PercentComplete; throws {@link JobFailedException} when the method or its job failed.
     */
    default CimInstance awaitJob(MethodResult result, Duration timeout, Consumer<CimInstance> progress) {
        if (result.returnValue().equals(ReturnCode.COMPLETED)) {
            return CimInstance.builder("Msvm_ConcreteJob").set("JobState", 7).set("PercentComplete", 100).set("ErrorCode", 0).build();
        }
        if (!result.returnValue().equals(ReturnCode.JOB_STARTED) || result.job().isEmpty()) {
            String why = Optional.ofNullable(result.outParameters().get("ErrorDescription")).map(CimValue::display).orElse("");
            throw new JobFailedException(result.returnValue(), why);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastPercent = -1;
        while (true) {
            CimInstance job = get(result.job().get());
            long state = job.integer("JobState").orElse(0L);
            long percent = job.integer("PercentComplete").orElse(0L);
            if (percent != lastPercent) {
                lastPercent = percent;
                progress.accept(job);
            }
            if (state >= 7 && state <= 10) {
                if (state != 7) {
                    throw new JobFailedException(new ReturnCode(job.integer("ErrorCode").orElse(32768L).intValue()),
                            job.text("ErrorDescription").orElse("") + " (JobState " + state + ")");
                }
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new JobFailedException(ReturnCode.TIMEOUT, "job " + result.job().get() + " still running after " + timeout);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InvalidParameterException("interrupted while waiting for a job");
            }
        }
    }
}
