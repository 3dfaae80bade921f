package dev.parvis.hv.backend.unicorn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parvis.hv.backend.ScriptedGuest;

/** A unicorn VP ({@link ScriptedGuest}) with its code at {@link #CODE}. */
final class TestGuest extends ScriptedGuest {
    static final long CODE = 0x1000;

    TestGuest(UnicornBackend backend, byte[] code) {
        super(backend::createEngine, CODE, code, ram -> { });
    }

    static UnicornBackend backend() {
        assumeTrue(UnicornLibrary.isAvailable(), "libunicorn 2.x not installed");
        return new UnicornBackend();
    }
}
