package dev.parvis.e2e;

import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.backend.kvm.KvmBackend;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;

/**
 * The processor backend these end-to-end tests run on: the system property {@code parvis.backend}
 * (Maven runs the module once with {@code unicorn}, once with {@code kvm}; unset means unicorn).
 * When KVM is asked for and cannot be used, the reason is printed once and every test is skipped
 * (aborted, so it shows as skipped, not passed).
 */
public final class BackendUnderTest {
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private BackendUnderTest() {}

    public static BackendChoice choice() {
        BackendChoice choice = BackendChoice.fromSystemProperty(BackendChoice.UNICORN);
        if (choice == BackendChoice.KVM) {
            String reason = KvmBackend.unavailableReason().orElse(null);
            if (reason != null) {
                if (REPORTED.compareAndSet(false, true)) {
                    System.out.println("[parvis] KVM backend unavailable, end-to-end tests skipped on kvm: " + reason);
                }
                Assumptions.abort("KVM backend unavailable: " + reason);
            }
        }
        return choice;
    }

    public static HypervisorConfig config(long poolBytes, Duration runSlice) {
        return new HypervisorConfig(poolBytes, choice(), runSlice);
    }
}
