package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The router's pumps serve every child: a handler's failure, even an Error, must not end them. */
class RootMessageRouterTest {
    /** The root SynIC's intercept queue, in memory: the router only takes from it. */
    private static final class InterceptQueue implements RootSynic {
        final BlockingQueue<HvMessage> intercepts = new LinkedBlockingQueue<>();

        @Override
        public Optional<HvMessage> poll(int sint) {
            return sint == INTERCEPT_SINT ? Optional.ofNullable(intercepts.poll()) : Optional.empty();
        }

        @Override
        public Optional<HvMessage> take(int sint, Duration timeout) throws InterruptedException {
            if (sint != INTERCEPT_SINT) {
                Thread.sleep(timeout.toMillis());
                return Optional.empty();
            }
            return Optional.ofNullable(intercepts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean testAndClearEvent(int sint, int flag) {
            return false;
        }

        @Override
        public void subscribe(int sint, int flag, Runnable listener) {
        }

        @Override
        public void unsubscribe(int sint, int flag) {
        }

        @Override
        public boolean awaitEvent(int sint, Duration timeout) {
            return false;
        }
    }

    private static HvMessage intercept(long sender) {
        return new HvMessage(HvMessageType.UNRECOVERABLE_EXCEPTION, (byte) 0, sender, new byte[8]);
    }

    @Test
    void anErrorInOneChildsHandlerDoesNotStopDeliveryToTheOthers() throws InterruptedException {
        InterceptQueue synic = new InterceptQueue();
        BlockingQueue<Long> delivered = new LinkedBlockingQueue<>();
        try (RootMessageRouter router = new RootMessageRouter(synic)) {
            router.register(5, m -> {
                throw new OutOfMemoryError("handler of partition 5");
            }, m -> { });
            router.register(6, m -> delivered.add(m.sender()), m -> { });
            for (int i = 0; i < 3; i++) {
                synic.intercepts.add(intercept(5));
            }
            synic.intercepts.add(intercept(6));
            Long sender = delivered.poll(10, TimeUnit.SECONDS);
            assertEquals(6L, sender, "partition 6's intercept was delivered after partition 5's handler threw Errors");
            assertTrue(synic.intercepts.isEmpty());
        }
    }
}
