package dev.parvis.hv;

import dev.parvis.hv.backend.ProcessorBackend;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How to boot the hypervisor.
 *
 * @param poolBytes system-physical memory to take from the OS (reserved lazily)
 * @param backend   creates the processor backend
 * @param runSlice  how long a VP runs before the scheduler takes the processor back
 */
public record HypervisorConfig(long poolBytes, Supplier<ProcessorBackend> backend, Duration runSlice) {
    public static final long DEFAULT_POOL_BYTES = 1L << 30;
    public static final Duration DEFAULT_RUN_SLICE = Duration.ofMillis(10);

    public HypervisorConfig withPoolBytes(long bytes) {
        return new HypervisorConfig(bytes, backend, runSlice);
    }
}
