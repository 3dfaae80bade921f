package dev.parvis.hv.backend.unicorn;

/**
 * Host-side failures of the unicorn backend (never caused by a guest): the library is missing or a
 * libunicorn call that must succeed did not.
 */
public sealed abstract class UnicornHostException extends RuntimeException
        permits UnicornHostException.LibraryUnavailable, UnicornHostException.CallFailed {

    UnicornHostException(String message, Throwable cause) {
        super(message, cause);
    }

    /** libunicorn could not be loaded, lacks a symbol, or is not major version 2. */
    public static final class LibraryUnavailable extends UnicornHostException {
        private final String library;

        public LibraryUnavailable(String library, String reason, Throwable cause) {
            super("libunicorn unavailable (" + library + "): " + reason
                    + "; install libunicorn2 or set -Dparvis.unicorn.library / PARVIS_UNICORN_LIBRARY", cause);
            this.library = library;
        }

        public String library() {
            return library;
        }
    }

    /** A uc_* call returned an error code. */
    public static final class CallFailed extends UnicornHostException {
        private final String function;
        private final int ucErr;

        public CallFailed(String function, int ucErr, String errorText) {
            super(function + " failed: uc_err " + ucErr + " (" + errorText + ")", null);
            this.function = function;
            this.ucErr = ucErr;
        }

        public String function() {
            return function;
        }

        public int ucErr() {
            return ucErr;
        }
    }
}
