package dev.parvis.wmi.model;

import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.job.Job;
import dev.parvis.wmi.job.JobTable;
import dev.parvis.wmi.job.JobWork;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The method table: class and method name to handler, and what handlers share (the service, the
 * job table, the host). Methods need the administrator role; the check is here, so every client,
 * in-process or remote, passes it.
 */
final class Methods {
    /** How long a job waits for one VM request before it reports a timeout (32772). */
    static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final Map<String, MethodHandler> handlers = new HashMap<>();
    final VmManagementService service;
    final JobTable jobs;
    final HostInfo host;

    Methods(VmManagementService service, JobTable jobs, HostInfo host) {
        this.service = service;
        this.jobs = jobs;
        this.host = host;
        VmMethods.register(this);
        SystemMethods.register(this);
        DiskMethods.register(this);
        register(ConcreteJobs.CLASS, "RequestStateChange", this::cancelJob);
    }

    void register(String className, String method, MethodHandler handler) {
        handlers.put(key(className, method), handler);
    }

    private static String key(String className, String method) {
        return (className + "." + method).toLowerCase(Locale.ROOT);
    }

    void checkRole(Caller caller) {
        if (!caller.role().mayInvokeMethods()) {
            throw new AccessDeniedException("user '" + caller.user() + "' (" + caller.role().wireName() + ") may not invoke methods");
        }
    }

    MethodResult invoke(Invocation call, String method) {
        checkRole(call.caller());
        MethodHandler h = handlers.get(key(call.target().className(), method));
        if (h == null) {
            throw new InvalidParameterException("class " + call.target().className() + " has no method '" + method + "'");
        }
        return h.invoke(call);
    }

    /** A job that hands {@code request} to the VM's worker and waits for it, reporting the worker's progress. */
    MethodResult vmJob(Invocation call, UUID vm, int type, String what, VmRequest request) {
        return job(call, type, what, ObjectPaths.computerSystem(vm), false,
                control -> service.request(vm, request, control::progress).get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }

    /** One job that executes {@code requests} on the VM in order; the first failure fails the job. */
    MethodResult vmJobs(Invocation call, UUID vm, int type, String what, List<VmRequest> requests) {
        return job(call, type, what, ObjectPaths.computerSystem(vm), false, control -> {
            for (VmRequest r : requests) {
                service.request(vm, r).get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        });
    }

    MethodResult job(Invocation call, int type, String what, ObjectPath affected, boolean cancellable, JobWork work) {
        Job job = jobs.submit(new JobTable.Spec(type, what, Optional.of(affected), call.caller().user(), cancellable), work);
        return MethodResult.job(ObjectPaths.job(job.id()));
    }

    static MethodResult error(ReturnCode code, String description) {
        return new MethodResult(code, Optional.empty(), Map.of("ErrorDescription", new CimValue.Text(description)));
    }

    /** Msvm_ConcreteJob.RequestStateChange: 4 Terminate or 5 Kill cancel a cancellable running job. */
    private MethodResult cancelJob(Invocation call) {
        long requested = call.in().requiredInteger("RequestedState");
        if (requested != 4 && requested != 5) {
            return error(ReturnCode.INVALID_PARAMETER, "a job can only be terminated (4) or killed (5)");
        }
        UUID id = UUID.fromString(call.target().key("InstanceID"));
        Job job = jobs.get(id).orElseThrow(() -> new InvalidParameterException("no job " + id));
        Job.Snapshot s = jobs.snapshot(job);
        if (!s.cancellable()) {
            return error(ReturnCode.NOT_SUPPORTED, "job '" + s.description() + "' cannot be cancelled");
        }
        if (!job.requestCancel()) {
            return error(ReturnCode.INVALID_STATE, "job '" + s.description() + "' has already ended");
        }
        return MethodResult.completed(Map.of());
    }
}
