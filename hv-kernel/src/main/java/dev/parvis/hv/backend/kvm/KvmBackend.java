package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.BackendCapability;
import dev.parvis.hv.backend.ProcessorBackend;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpIntercepts;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kvm} processor backend: guest code on the host processor through /dev/kvm, one VM and
 * vCPU per VP. Opening it proves KVM usable (API version, capabilities, a probe VM that runs) and
 * picks the {@link PrivilegeMode} by measurement ({@link KvmProbe}), unless the system property
 * {@code parvis.kvm.privilege} ({@code cpl0} or {@code cpl3}) forces one. Throws
 * {@link KvmHostException.Unavailable} when KVM cannot be used.
 */
public final class KvmBackend implements ProcessorBackend {
    public static final String PRIVILEGE_PROPERTY = "parvis.kvm.privilege";
    /**
     * Where this backend's own pages sit, above the guest's whole physical space: GDT, IDT, TSS,
     * exception stubs and stack, then the page tables (not mapped at all); none of them guest memory.
     */
    public static final long SUPERVISOR_AREA_GPA = SupervisorArea.BASE;
    /** The doorbell page the hypercall page stores to: an address with no memory behind it. */
    public static final long DOORBELL_GPA = SupervisorArea.DOORBELL;
    private static final Logger LOG = LoggerFactory.getLogger(KvmBackend.class);

    private final KvmDevice device;
    private final KvmProbe.Result probe;

    public KvmBackend() {
        this(configuredMode());
    }

    /** With {@code mode} null the probe chooses. */
    public KvmBackend(PrivilegeMode mode) {
        this.device = KvmDevice.open();
        try {
            this.probe = KvmProbe.run(device, mode);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
        LOG.info("KVM backend: guests run {} (CPL {}): {}", probe.mode() == PrivilegeMode.DEPRIVILEGED ? "deprivileged" : "privileged",
                probe.mode().cpl(), probe.why());
    }

    /**
     * Why KVM cannot be used here, or empty if it can: opens /dev/kvm and runs the probe once per JVM
     * (test fixtures and {@code auto} ask this before they choose).
     */
    public static Optional<String> unavailableReason() {
        return Availability.REASON;
    }

    private static final class Availability {
        static final Optional<String> REASON = check();

        private static Optional<String> check() {
            try (KvmBackend ignored = new KvmBackend()) {
                return Optional.empty();
            } catch (KvmHostException.Unavailable e) {
                return Optional.of(e.reason());
            } catch (RuntimeException | LinkageError e) {
                return Optional.of(String.valueOf(e));
            }
        }
    }

    private static PrivilegeMode configuredMode() {
        String value = System.getProperty(PRIVILEGE_PROPERTY, "");
        return value.isBlank() || value.equals("auto") ? null : PrivilegeMode.parse(value);
    }

    public PrivilegeMode mode() {
        return probe.mode();
    }

    /** Why the mode was chosen, for logs and the launcher. */
    public String modeReason() {
        return probe.why();
    }

    @Override
    public String name() {
        return "kvm";
    }

    @Override
    public VpEngine createEngine(VpIntercepts intercepts) {
        return new KvmEngine(device, probe.mode(), intercepts);
    }

    /**
     * No CPUID exit exists (the table is fixed up front). Synthetic MSRs reach the kernel: through
     * KVM's MSR filter at CPL 0, from the #GP a deprivileged RDMSR/WRMSR raises at CPL 3. VPs run in
     * parallel on real hardware atomics.
     */
    @Override
    public Set<BackendCapability> capabilities() {
        return EnumSet.of(BackendCapability.MSR_INTERCEPT, BackendCapability.PARALLEL_VPS);
    }

    @Override
    public byte[] hypercallPageImage() {
        return KvmHypercallPage.image();
    }

    @Override
    public void close() {
        device.close();
    }
}
