package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parvis.hv.backend.ScriptedGuest;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A KVM VP ({@link ScriptedGuest}) with this backend's hypercall page at {@link #PAGE} and its code at {@link #CODE}. */
final class KvmTestGuest extends ScriptedGuest {
    static final long PAGE = 0x1000;
    static final long CODE = 0x2000;
    private static final Map<PrivilegeMode, KvmBackend> BACKENDS = new ConcurrentHashMap<>();

    KvmTestGuest(PrivilegeMode mode, byte[] code) {
        super(backend(mode)::createEngine, CODE, code,
                ram -> ram.asSlice(PAGE, 4096).copyFrom(MemorySegment.ofArray(KvmHypercallPage.image())));
    }

    /** One backend per mode for the whole test run (each opening runs the probe). */
    static KvmBackend backend(PrivilegeMode mode) {
        assumeKvm();
        return BACKENDS.computeIfAbsent(mode, KvmBackend::new);
    }

    static void assumeKvm() {
        String reason = KvmBackend.unavailableReason().orElse(null);
        assumeTrue(reason == null, () -> "KVM unavailable: " + reason);
    }
}
