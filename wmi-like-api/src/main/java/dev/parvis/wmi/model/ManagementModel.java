package dev.parvis.wmi.model;

import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.event.EventHub;
import dev.parvis.wmi.event.Subscription;
import dev.parvis.wmi.job.JobTable;
import dev.parvis.wmi.wql.Wql;
import dev.parvis.wmi.wql.WqlQuery;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The management object model of one host (its root\virtualization\v2): queries, instances,
 * methods and event subscriptions over the root's {@link VmManagementService}. Every read renders
 * instances from the service's current state; every method becomes the service's immutable
 * requests, so no VM logic lives here. Thread-safe; one per host.
 */
public final class ManagementModel implements AutoCloseable {
    private final VmManagementService service;
    private final HostInfo host;
    private final JobTable jobs;
    private final Catalog catalog = new Catalog();
    private final Methods methods;
    private final EventHub events;
    /** The state each VM was last reported in by the service's events (touched on the hub thread). */
    private final Map<UUID, VmState> reported = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> lastStateChange = new ConcurrentHashMap<>();
    private final AutoCloseable serviceSubscription;

    public ManagementModel(VmManagementService service, HostInfo host) {
        this(service, host, new JobTable());
    }

    public ManagementModel(VmManagementService service, HostInfo host, JobTable jobs) {
        this.service = service;
        this.host = host;
        this.jobs = jobs;
        this.methods = new Methods(service, jobs, host);
        this.events = new EventHub(cls -> catalog.instances(cls, view(this::reportedState)));
        jobs.onChange(j -> events.changed());
        this.serviceSubscription = service.subscribe(this::onVmEvent);
    }

    public HostInfo host() {
        return host;
    }

    public JobTable jobs() {
        return jobs;
    }

    /** The classes of the namespace: name, keys, properties, methods. */
    public List<CimClass> classes() {
        return catalog.classes();
    }

    /** Runs a SELECT, ASSOCIATORS OF or REFERENCES OF statement. */
    public List<CimInstance> query(String wql) {
        return catalog.execute(Wql.parse(wql), view(VmInfo::state));
    }

    public CimInstance get(ObjectPath path) {
        return catalog.get(path, view(VmInfo::state));
    }

    /** Invokes {@code method} on the instance at {@code target}; needs the administrator role. */
    public MethodResult invoke(Caller caller, ObjectPath target, String method, Map<String, CimValue> in) {
        methods.checkRole(caller); // refused before revealing whether the target exists
        ModelView view = view(VmInfo::state);
        catalog.get(target, view);
        return methods.invoke(new Invocation(caller, target, Params.of(method, in), view), method);
    }

    /** Starts an event subscription (SELECT * FROM __Instance...Event WITHIN n WHERE TargetInstance ISA 'class' ...). */
    public Subscription subscribe(Caller caller, String wql) {
        if (!(Wql.parse(wql) instanceof WqlQuery.EventSelect event)) {
            throw new InvalidParameterException("not an event query: subscribe takes SELECT * FROM __Instance...Event WITHIN n ...");
        }
        catalog.checkEventProperties(event.targetClass(), event.where());
        return events.subscribe(event, caller.user());
    }

    public java.util.Optional<Subscription> subscription(String id) {
        return events.get(id);
    }

    /** Event subscriptions open now, over every connection. */
    public int subscriptionCount() {
        return events.size();
    }

    private ModelView view(Function<VmInfo, VmState> stateOf) {
        return new ModelView(host, service, service.list(), stateOf, lastStateChange, jobs, Instant.now());
    }

    private VmState reportedState(VmInfo vm) {
        return reported.getOrDefault(vm.id(), vm.state());
    }

    /** On the service's event thread: record the reported state on the hub thread, then let subscriptions look. */
    private void onVmEvent(VmEvent e) {
        switch (e) {
            case VmEvent.StateChanged s -> {
                lastStateChange.put(s.id(), s.at());
                events.onHubThread(() -> reported.put(s.id(), s.to()));
            }
            case VmEvent.Removed r -> {
                lastStateChange.remove(r.id());
                events.onHubThread(() -> reported.remove(r.id()));
            }
            case VmEvent.ConfigChanged c -> { }
            case VmEvent.Failed f -> { }
            case VmEvent.Notice n -> { }
        }
        events.changed();
    }

    @Override
    public void close() {
        try {
            serviceSubscription.close();
        } catch (Exception e) {
            // The service's subscription close does not fail.
        }
        events.close();
    }
}
