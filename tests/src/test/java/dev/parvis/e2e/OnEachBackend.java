package dev.parvis.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * An end-to-end test whose guests run on the backend {@link BackendUnderTest} names: Maven's
 * {@code kvm} execution runs only the tests carrying it (tag {@value #TAG}) a second time, on KVM.
 * Tests of what no guest instruction reaches (the management API, host files, the command line) and
 * unicorn's own (the instruction fuzz) run once, on unicorn.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(OnEachBackend.TAG)
public @interface OnEachBackend {
    String TAG = "each-backend";
}
