package dev.parvis.e2e.fuzz;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The root's intercept SINT, demultiplexed by sender for several fuzz partitions driven from several
 * threads (as the root's VM workers share it through their message router).
 */
final class InterceptRouter implements AutoCloseable {
    private final Map<Long, BlockingQueue<HvMessage>> queues = new ConcurrentHashMap<>();
    private final Thread pump;
    private volatile boolean closed;

    InterceptRouter(RootSynic synic) {
        pump = Thread.ofPlatform().name("fuzz-intercepts").daemon(true).start(() -> {
            while (!closed) {
                try {
                    synic.take(RootSynic.INTERCEPT_SINT, Duration.ofMillis(50)).ifPresent(m -> {
                        BlockingQueue<HvMessage> q = queues.get(m.sender());
                        if (q != null) {
                            q.add(m);
                        }
                    });
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    void register(long partitionId) {
        queues.put(partitionId, new LinkedBlockingQueue<>());
    }

    void unregister(long partitionId) {
        queues.remove(partitionId);
    }

    Optional<HvMessage> take(long partitionId, Duration timeout) throws InterruptedException {
        BlockingQueue<HvMessage> q = queues.get(partitionId);
        return q == null ? Optional.empty() : Optional.ofNullable(q.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        pump.join();
    }
}
