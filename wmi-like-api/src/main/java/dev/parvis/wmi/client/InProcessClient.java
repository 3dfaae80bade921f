package dev.parvis.wmi.client;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.event.EventBatch;
import dev.parvis.wmi.event.Subscription;
import dev.parvis.wmi.model.Caller;
import dev.parvis.wmi.model.ManagementModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A client inside the host process: calls the model directly as {@code caller} (the role check still applies). */
public final class InProcessClient implements ManagementClient {
    private final ManagementModel model;
    private final Caller caller;

    public InProcessClient(ManagementModel model, Caller caller) {
        this.model = model;
        this.caller = caller;
    }

    @Override
    public List<CimInstance> query(String wql) {
        return model.query(wql);
    }

    @Override
    public CimInstance get(ObjectPath path) {
        return model.get(path);
    }

    @Override
    public MethodResult invoke(ObjectPath target, String method, Map<String, CimValue> in) {
        return model.invoke(caller, target, method, in);
    }

    @Override
    public EventSubscription subscribe(String eventWql) {
        Subscription s = model.subscribe(caller, eventWql);
        return new EventSubscription() {
            @Override
            public EventBatch poll(int max, Duration timeout) {
                try {
                    return s.poll(max, timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new EventBatch(List.of(), 0);
                }
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public String user() {
        return caller.user();
    }

    @Override
    public String role() {
        return caller.role().wireName();
    }

    @Override
    public void close() {
    }
}
