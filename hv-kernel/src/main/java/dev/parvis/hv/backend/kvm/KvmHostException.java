package dev.parvis.hv.backend.kvm;

/**
 * Host-side failures of the KVM backend (never caused by a guest): /dev/kvm cannot be used, or a
 * call that must succeed did not.
 */
public sealed abstract class KvmHostException extends RuntimeException
        permits KvmHostException.Unavailable, KvmHostException.CallFailed {

    KvmHostException(String message, Throwable cause) {
        super(message, cause);
    }

    /** KVM is missing, too old, lacks a capability the backend needs, or its probe VM did not run. */
    public static final class Unavailable extends KvmHostException {
        private final String reason;

        public Unavailable(String reason, Throwable cause) {
            super("KVM unavailable: " + reason, cause);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** A system call returned an error. */
    public static final class CallFailed extends KvmHostException {
        private final String call;
        private final int errno;

        public CallFailed(String call, int errno) {
            super(call + " failed: errno " + errno, null);
            this.call = call;
            this.errno = errno;
        }

        public String call() {
            return call;
        }

        public int errno() {
            return errno;
        }
    }
}
