package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.root.loader.ChildChannels;
import dev.parvis.vmcore.RootSynic;
import dev.parvis.vmcore.log.LogBudget;
import dev.parvis.vmcore.log.LogBudgets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the root SINTs managed VMs use — intercepts ({@link RootSynic#INTERCEPT_SINT}, sender =
 * partition id) and children's messages ({@link ChildChannels#ROOT_MESSAGE_SINT}, sender = the
 * child's root message port) — with one thread per SINT, and hands each message to the handler
 * registered for its sender (a VM worker, which queues it onto its own thread). Messages for no
 * registered sender (a partition being torn down) are dropped.
 */
public final class RootMessageRouter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RootMessageRouter.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /** Long enough for the router to take a child's whole share of the SINT; bounded, as a wedged router must not hold up a teardown. */
    private static final Duration LAST_MESSAGES = Duration.ofSeconds(1);

    private final RootSynic synic;
    private final Map<Long, Consumer<HvMessage>> intercepts = new ConcurrentHashMap<>();
    private final Map<Long, Consumer<HvMessage>> messages = new ConcurrentHashMap<>();
    private final List<Thread> threads;
    private volatile boolean closed;
    /** A child's messages can cause these lines: budgets per sender, and one for failures. */
    private final LogBudgets droppedLines = LogBudgets.standard();
    private final LogBudget failures = LogBudget.standard();

    public RootMessageRouter(RootSynic synic) {
        this.synic = synic;
        this.threads = List.of(pump(RootSynic.INTERCEPT_SINT, intercepts), pump(ChildChannels.ROOT_MESSAGE_SINT, messages));
    }

    /** Routes the intercepts of {@code partitionId} and the messages of its root port to the handlers. */
    public void register(long partitionId, Consumer<HvMessage> onIntercept, Consumer<HvMessage> onMessage) {
        intercepts.put(partitionId, onIntercept);
        messages.put((long) ChildChannels.of(partitionId).rootMessagePortId(), onMessage);
    }

    /**
     * Waits (at most {@link #LAST_MESSAGES}) until the router has handed over every message the
     * partition posted to its root port, so that a guest's last report, posted just before it powered
     * off, is not dropped: its power-off intercept travels on another SINT, whose router thread may
     * reach the worker first. Call before {@link #unregister} when the partition has stopped running.
     */
    public void awaitLastMessages(long partitionId) {
        long deadline = System.nanoTime() + LAST_MESSAGES.toNanos();
        while (!closed && synic.queued(ChildChannels.ROOT_MESSAGE_SINT, partitionId) > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
    }

    public void unregister(long partitionId) {
        intercepts.remove(partitionId);
        messages.remove((long) ChildChannels.of(partitionId).rootMessagePortId());
    }

    private Thread pump(int sint, Map<Long, Consumer<HvMessage>> handlers) {
        return Thread.ofPlatform().daemon(true).name("parvis-root-sint-" + sint).start(() -> {
            while (!closed) {
                try {
                    // Handed over inside the take, so a save never sees a report neither queued nor in a worker's hands.
                    synic.takeInto(sint, POLL, m -> deliver(sint, handlers, m));
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    // This thread serves every VM: nothing one VM's handler throws (out of memory
                    // included) may end it. Rate-limited, and without a trace: a guest may repeat it.
                    failures.error(LOG, "root SINT {} router: unexpected failure, continuing", sint, t);
                }
            }
        });
    }

    private void deliver(int sint, Map<Long, Consumer<HvMessage>> handlers, HvMessage m) {
        Consumer<HvMessage> handler = handlers.get(m.sender());
        if (handler == null) {
            if (LOG.isDebugEnabled()) {
                droppedLines.of(m.sender()).log(LOG, org.slf4j.event.Level.DEBUG, "root SINT {}: {} from unregistered sender {} dropped",
                        sint, m.type(), m.sender());
            }
            return;
        }
        handler.accept(m);
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
