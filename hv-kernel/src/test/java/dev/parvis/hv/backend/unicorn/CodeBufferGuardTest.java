package dev.parvis.hv.backend.unicorn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.VpIntercepts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The guard contains a fault in an engine's generated code only if the shim registered that engine's
 * TCG code buffer, which it finds as the executable mapping that appeared while the engine opened.
 * Engines close on other threads meanwhile (a partition deleted while another is created), and a new
 * buffer often lands in the hole a closed one left: that must not hide it.
 */
class CodeBufferGuardTest {
    private static final VpIntercepts NONE = new VpIntercepts() {
        @Override
        public CpuidResult cpuid(int leaf, int subleaf) {
            return new CpuidResult(0, 0, 0, 0);
        }

        @Override
        public long portIn(int port, int size) {
            return 0;
        }

        @Override
        public boolean portOut(int port, int size, long value) {
            return false;
        }
    };

    @Test
    void everyEngineOpenedWhileOthersCloseHasItsCodeBufferRegistered() throws Exception {
        UnicornBackend backend = TestGuest.backend();
        BlockingQueue<UnicornEngine> toClose = new ArrayBlockingQueue<>(4);
        AtomicBoolean done = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().name("engine-closer").start(() -> {
            try {
                while (!done.get() || !toClose.isEmpty()) {
                    UnicornEngine e = toClose.poll(10, TimeUnit.MILLISECONDS);
                    if (e != null) {
                        e.close();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> missing = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                UnicornEngine engine = (UnicornEngine) backend.createEngine(NONE);
                long[] buffer = engine.codeBuffer();
                if (buffer[0] == 0 || buffer[1] - buffer[0] < (1 << 20)) {
                    missing.add("engine " + i + ": code buffer 0x" + Long.toHexString(buffer[0]) + "-0x" + Long.toHexString(buffer[1]));
                }
                toClose.put(engine);
            }
        } finally {
            done.set(true);
            closer.join();
        }
        assertTrue(missing.isEmpty(), missing.size() + " of 300 engines had no registered code buffer: " + missing);
    }
}
