package dev.parvis.hv.backend;

import dev.parvis.hv.backend.kvm.KvmBackend;
import dev.parvis.hv.backend.kvm.KvmHostException;
import dev.parvis.hv.backend.unicorn.UnicornBackend;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which processor backend to boot: {@code kvm}, {@code unicorn}, or {@code auto} (KVM when /dev/kvm
 * opens and a probe VM runs, else unicorn). Entry points take it as {@code --backend}; test
 * fixtures read the system property {@value #PROPERTY}.
 */
public enum BackendChoice {
    KVM, UNICORN, AUTO;

    public static final String PROPERTY = "parvis.backend";
    private static final Logger LOG = LoggerFactory.getLogger(BackendChoice.class);

    /** {@code kvm}, {@code unicorn} or {@code auto}, any case. */
    public static BackendChoice parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backend '" + value + "': use kvm, unicorn or auto", e);
        }
    }

    /** The choice the system property names, or {@code fallback} when it is unset. */
    public static BackendChoice fromSystemProperty(BackendChoice fallback) {
        String value = System.getProperty(PROPERTY, "");
        return value.isBlank() ? fallback : parse(value);
    }

    /** Opens the backend; KVM, when chosen explicitly and unusable, throws KvmHostException.Unavailable. */
    public ProcessorBackend open() {
        return switch (this) {
            case KVM -> new KvmBackend();
            case UNICORN -> new UnicornBackend();
            case AUTO -> auto();
        };
    }

    private static ProcessorBackend auto() {
        try {
            KvmBackend kvm = new KvmBackend();
            LOG.info("backend auto: kvm (/dev/kvm opened and a probe VM ran)");
            return kvm;
        } catch (KvmHostException.Unavailable e) {
            LOG.info("backend auto: unicorn, because {}", e.getMessage());
            return new UnicornBackend();
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
