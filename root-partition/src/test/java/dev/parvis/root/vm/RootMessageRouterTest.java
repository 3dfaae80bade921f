package dev.parvis.root.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.hv.synic.RootInbox;
import dev.parvis.vmcore.RootSynic;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The router's threads serve every VM: an error in one VM's handler does not stop the others' intercepts. */
class RootMessageRouterTest {
    private static HvMessage intercept(long partition) {
        return new HvMessage(HvMessageType.UNRECOVERABLE_EXCEPTION, (byte) 0, partition, new byte[48]);
    }

    @Test
    void anErrorInOneVmsHandlerLeavesTheRouterServingTheOthers() throws Exception {
        RootInbox inbox = new RootInbox();
        LinkedBlockingQueue<HvMessage> delivered = new LinkedBlockingQueue<>();
        try (RootMessageRouter router = new RootMessageRouter(inbox)) {
            router.register(10, m -> {
                throw new OutOfMemoryError("Java heap space (test)");
            }, m -> { });
            router.register(11, delivered::add, m -> { });
            for (int round = 0; round < 3; round++) {
                inbox.postMessage(10, RootSynic.INTERCEPT_SINT, intercept(10));
                inbox.postMessage(11, RootSynic.INTERCEPT_SINT, intercept(11));
                HvMessage m = delivered.poll(10, TimeUnit.SECONDS);
                assertEquals(11, m == null ? -1 : m.sender(), "round " + round + ": the other VM's intercept is routed");
            }
        }
    }
}
