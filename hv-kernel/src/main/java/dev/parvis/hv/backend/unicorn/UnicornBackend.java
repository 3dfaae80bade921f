package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.BackendCapability;
import dev.parvis.hv.backend.ProcessorBackend;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpIntercepts;
import java.util.EnumSet;
import java.util.Set;

/**
 * The {@code unicorn} processor backend: each VP gets its own libunicorn instance.
 *
 * <p>Guest atomics are not atomic across instances, so the kernel runs the VPs of one partition in
 * turn on one host thread (ARCHITECTURE.md section 5); different partitions run in parallel.
 */
public final class UnicornBackend implements ProcessorBackend {
    private final UnicornLibrary library;

    /** Loads libunicorn (see {@link UnicornLibrary}); throws LibraryUnavailable if it cannot. */
    public UnicornBackend() {
        this.library = UnicornLibrary.load();
    }

    @Override
    public String name() {
        return "unicorn";
    }

    @Override
    public VpEngine createEngine(VpIntercepts intercepts) {
        return new UnicornEngine(library, intercepts);
    }

    /** Every CPUID reaches the hook; MSR accesses cannot be hooked; guest atomics are not atomic across instances. */
    @Override
    public Set<BackendCapability> capabilities() {
        return EnumSet.of(BackendCapability.CPUID_INTERCEPT);
    }

    /** Engines own their instances and are closed by the kernel; the library stays loaded. */
    @Override
    public void close() {}
}
