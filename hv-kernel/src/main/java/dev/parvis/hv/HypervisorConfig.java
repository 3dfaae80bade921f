package dev.parvis.hv;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.backend.ProcessorBackend;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How to boot the hypervisor.
 *
 * @param poolBytes         system-physical memory to take from the OS (reserved lazily)
 * @param backend           creates the processor backend
 * @param runSlice          how long a VP runs before the scheduler takes the processor back
 * @param logicalProcessors how many logical-processor threads run partitions (at least 1)
 */
public record HypervisorConfig(long poolBytes, Supplier<ProcessorBackend> backend, Duration runSlice, int logicalProcessors) {
    public static final long DEFAULT_POOL_BYTES = 1L << 30;
    public static final Duration DEFAULT_RUN_SLICE = Duration.ofMillis(10);

    public HypervisorConfig {
        if (logicalProcessors < 1) {
            throw new IllegalArgumentException("logicalProcessors must be at least 1, not " + logicalProcessors);
        }
    }

    /** The backend chosen as {@code --backend} says; one logical processor per host core. */
    public HypervisorConfig(long poolBytes, BackendChoice backend, Duration runSlice) {
        this(poolBytes, backend::open, runSlice, defaultLogicalProcessors());
    }

    /** One logical processor per host core. */
    public HypervisorConfig(long poolBytes, Supplier<ProcessorBackend> backend, Duration runSlice) {
        this(poolBytes, backend, runSlice, defaultLogicalProcessors());
    }

    public static int defaultLogicalProcessors() {
        return Runtime.getRuntime().availableProcessors();
    }

    public HypervisorConfig withPoolBytes(long bytes) {
        return new HypervisorConfig(bytes, backend, runSlice, logicalProcessors);
    }

    public HypervisorConfig withLogicalProcessors(int count) {
        return new HypervisorConfig(poolBytes, backend, runSlice, count);
    }
}
