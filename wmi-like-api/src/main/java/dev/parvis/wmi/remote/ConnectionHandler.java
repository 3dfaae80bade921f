package dev.parvis.wmi.remote;

import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.AuthenticationException;
import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.cim.CimException;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.WqlSyntaxException;
import dev.parvis.wmi.event.EventBatch;
import dev.parvis.wmi.event.Subscription;
import dev.parvis.wmi.model.Caller;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.security.AuditLog;
import dev.parvis.wmi.security.SessionTokens;
import dev.parvis.wmi.security.UserStore;
import dev.parvis.wmi.thrift.gen.AccessDenied;
import dev.parvis.wmi.thrift.gen.AuthenticationError;
import dev.parvis.wmi.thrift.gen.Busy;
import dev.parvis.wmi.thrift.gen.InvalidArgument;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import dev.parvis.wmi.thrift.gen.NotFound;
import dev.parvis.wmi.thrift.gen.SessionInfo;
import dev.parvis.wmi.thrift.gen.WqlSyntaxError;
import dev.parvis.vmcore.log.LogBudget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Thrift API of one connection: checks the session's login and role, runs the call on one of
 * the server's bounded worker permits, writes the audit line (who, what, result) and turns the
 * model's failures into the IDL's exceptions. Every failure is a declared exception, so the
 * generated processor never reports an internal error.
 */
final class ConnectionHandler implements ManagementApi.Iface {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final LogBudget FAILURES = LogBudget.standard();
    static final int MAX_POLL_MILLIS = 30_000;
    static final int MAX_POLL_EVENTS = 1000;

    private final ManagementModel model;
    private final UserStore users;
    private final SessionTokens tokens;
    private final AuditLog audit;
    private final Session session;
    private final Semaphore workers;
    private final ServerLimits limits;

    ConnectionHandler(ManagementModel model, UserStore users, SessionTokens tokens, AuditLog audit, Session session, Semaphore workers,
                      ServerLimits limits) {
        this.model = model;
        this.users = users;
        this.tokens = tokens;
        this.audit = audit;
        this.session = session;
        this.workers = workers;
        this.limits = limits;
    }

    /** A call's body, given the logged-in caller. */
    private interface Work<T> {
        T run(Caller caller) throws InterruptedException;
    }

    @Override
    public SessionInfo login(String user, String password) throws TException {
        String what = "login " + user;
        if (user == null || password == null) {
            audit.record("-", session.remote(), what, "refused: missing credential");
            throw new AuthenticationError("user and password are required");
        }
        Optional<Role> role = users.authenticate(user, password);
        if (role.isEmpty()) {
            boolean closing = session.loginFailed(limits.loginFailures());
            audit.record("-", session.remote(), what, "refused: wrong user or password" + (closing ? "; connection closed" : ""));
            throw new AuthenticationError("wrong user or password");
        }
        Caller caller = new Caller(user, role.get());
        return started(caller, what, () -> tokens.issue(caller));
    }

    @Override
    public SessionInfo resume(String token) throws TException {
        Optional<Caller> caller = tokens.resume(token);
        if (caller.isEmpty()) {
            boolean closing = session.loginFailed(limits.loginFailures());
            audit.record("-", session.remote(), "resume", "refused: unknown or expired token" + (closing ? "; connection closed" : ""));
            throw new AuthenticationError("unknown or expired session token");
        }
        return started(caller.get(), "resume", () -> token);
    }

    private SessionInfo started(Caller caller, String what, java.util.function.Supplier<String> token) throws TException {
        String issued;
        try {
            issued = token.get();
        } catch (BusyException e) {
            audit.record(caller.user(), session.remote(), what, "refused: " + e.getMessage());
            throw new Busy(e.getMessage());
        }
        session.loggedIn(caller);
        audit.record(caller.user(), session.remote(), what, "ok (" + caller.role().wireName() + ")");
        return new SessionInfo(caller.user(), caller.role().wireName(), model.host().hostName(), issued);
    }

    @Override
    public List<dev.parvis.wmi.thrift.gen.CimInstance> query(String wql) throws TException {
        return call("query " + wql, true, caller -> model.query(require(wql, "wql")).stream().map(WireValues::toWire).toList(),
                r -> "ok (" + r.size() + " instances)");
    }

    @Override
    public dev.parvis.wmi.thrift.gen.CimInstance getInstance(String path) throws TException {
        return call("getInstance " + path, true, caller -> WireValues.toWire(model.get(ObjectPath.parse(require(path, "path")))),
                r -> "ok");
    }

    @Override
    public dev.parvis.wmi.thrift.gen.MethodResult invokeMethod(String path, String method,
                                                              Map<String, dev.parvis.wmi.thrift.gen.CimValue> in) throws TException {
        String what = "invokeMethod " + method + " on " + path;
        return call(what, true, caller -> {
            ObjectPath target = ObjectPath.parse(require(path, "path"));
            MethodResult r = model.invoke(caller, target, require(method, "method"), WireValues.fromWire(in == null ? Map.of() : in));
            return WireValues.toWire(r);
        }, r -> "returned " + r.getReturnValue() + (r.getJob() != null ? " job " + r.getJob() : ""));
    }

    @Override
    public String subscribe(String eventWql) throws TException {
        return call("subscribe " + eventWql, true, caller -> {
            if (session.subscriptionCount() >= limits.subscriptionsPerConnection()) {
                throw new BusyException("a connection holds at most " + limits.subscriptionsPerConnection() + " subscriptions");
            }
            Subscription s = model.subscribe(caller, require(eventWql, "eventWql"));
            session.add(s);
            return s.id();
        }, id -> "ok (subscription " + id + ")");
    }

    @Override
    public dev.parvis.wmi.thrift.gen.EventBatch poll(String id, int maxEvents, int timeoutMillis) throws TException {
        // A long poll waits outside the worker permits: it holds only its own connection.
        return call("poll " + id, false, caller -> {
            if (maxEvents < 1 || maxEvents > MAX_POLL_EVENTS || timeoutMillis < 0 || timeoutMillis > MAX_POLL_MILLIS) {
                throw new InvalidParameterException("poll takes 1.." + MAX_POLL_EVENTS + " events and 0.." + MAX_POLL_MILLIS + " ms");
            }
            Subscription s = session.subscription(require(id, "subscriptionId"))
                    .orElseThrow(() -> new NotFoundException("no subscription " + id + " on this connection"));
            EventBatch b = s.poll(maxEvents, Duration.ofMillis(timeoutMillis));
            return new dev.parvis.wmi.thrift.gen.EventBatch(b.events().stream().map(WireValues::toWire).toList(), b.dropped());
        }, b -> "ok (" + b.getEventsSize() + " events, " + b.getDropped() + " dropped)");
    }

    @Override
    public void unsubscribe(String id) throws TException {
        call("unsubscribe " + id, false, caller -> {
            Subscription s = session.remove(require(id, "subscriptionId"))
                    .orElseThrow(() -> new NotFoundException("no subscription " + id + " on this connection"));
            s.close();
            return Boolean.TRUE;
        }, r -> "ok");
    }

    private static String require(String value, String name) {
        if (value == null) {
            throw new InvalidParameterException(name + " is required");
        }
        return value;
    }

    private <T> T call(String what, boolean worker, Work<T> work, java.util.function.Function<T, String> result) throws TException {
        Optional<Caller> caller = session.caller();
        if (caller.isEmpty()) {
            audit.record("-", session.remote(), what, "refused: not logged in");
            throw new AuthenticationError("log in first");
        }
        boolean permit = false;
        try {
            if (worker) {
                workers.acquire();
                permit = true;
            }
            T r = work.run(caller.get());
            audit.record(caller.get().user(), session.remote(), what, result.apply(r));
            return r;
        } catch (CimException e) {
            audit.record(caller.get().user(), session.remote(), what, "refused: " + e.getMessage());
            throw toWire(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            audit.record(caller.get().user(), session.remote(), what, "failed: server stopping");
            throw new Busy("the server is stopping");
        } catch (RuntimeException e) {
            FAILURES.warn(LOG, "management call '{}' failed: {}", what.length() > 120 ? what.substring(0, 120) + "..." : what, e.toString());
            audit.record(caller.get().user(), session.remote(), what, "failed: " + e);
            throw new InvalidArgument("the host could not carry out the call: " + e.getMessage());
        } finally {
            if (permit) {
                workers.release();
            }
        }
    }

    static TException toWire(CimException e) {
        return switch (e) {
            case AuthenticationException a -> new AuthenticationError(a.getMessage());
            case AccessDeniedException a -> new AccessDenied(a.getMessage());
            case WqlSyntaxException w -> new WqlSyntaxError(w.reason(), w.token(), w.line(), w.column());
            case NotFoundException n -> new NotFound(n.getMessage());
            case InvalidParameterException i -> new InvalidArgument(i.getMessage());
            case BusyException b -> new Busy(b.getMessage());
        };
    }

    /** Ends the session (its subscriptions with it). */
    void close() {
        session.close();
    }
}
