package dev.parvis.root.vm;

/**
 * A virtual machine's state, with Hyper-V's names. {@link #code()} is the Msvm_ComputerSystem v2
 * {@code EnabledState} for the stable states (2 Enabled, 3 Disabled, 6 Enabled but Offline, 9 Quiesce,
 * 10 Starting, 4 Shutting Down) and the vendor transitional value for Saving (32773); Failed reports
 * 5 (Not Applicable) with its reason.
 */
public sealed interface VmState {
    /** The published state number (management model reference §3.2-3.3). */
    int code();

    /** The Hyper-V name shown to users (Get-VM's State column). */
    default String displayName() {
        return getClass().getSimpleName();
    }

    record Off() implements VmState {
        @Override
        public int code() {
            return 3;
        }
    }

    record Starting() implements VmState {
        @Override
        public int code() {
            return 10;
        }
    }

    record Running() implements VmState {
        @Override
        public int code() {
            return 2;
        }
    }

    record Paused() implements VmState {
        @Override
        public int code() {
            return 9;
        }
    }

    record Saving() implements VmState {
        @Override
        public int code() {
            return 32773;
        }
    }

    record Saved() implements VmState {
        @Override
        public int code() {
            return 6;
        }
    }

    record Stopping() implements VmState {
        @Override
        public int code() {
            return 4;
        }
    }

    record Failed(String reason) implements VmState {
        @Override
        public int code() {
            return 5;
        }

        @Override
        public String displayName() {
            return "Failed (" + reason + ")";
        }
    }

    VmState OFF = new Off();
    VmState STARTING = new Starting();
    VmState RUNNING = new Running();
    VmState PAUSED = new Paused();
    VmState SAVING = new Saving();
    VmState SAVED = new Saved();
    VmState STOPPING = new Stopping();
}
