package dev.parvis.wmi.cli;

/** Names of Msvm_ComputerSystem EnabledState codes (reference section 3.3) for printing. */
final class EnabledStates {
    private EnabledStates() {}

    static String name(long code) {
        return switch ((int) code) {
            case 2 -> "Running";
            case 3 -> "Off";
            case 4 -> "Stopping";
            case 5 -> "Failed";
            case 6 -> "Saved";
            case 9 -> "Paused";
            case 10 -> "Starting";
            case 32773 -> "Saving";
            default -> "state " + code;
        };
    }
}
