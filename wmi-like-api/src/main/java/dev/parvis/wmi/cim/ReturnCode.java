package dev.parvis.wmi.cim;

/**
 * A method's return value (management model reference section 3.4): an open value type, so a code
 * this build does not name is still carried and shown.
 */
public record ReturnCode(int code) {
    public static final ReturnCode COMPLETED = new ReturnCode(0);
    public static final ReturnCode JOB_STARTED = new ReturnCode(4096);
    public static final ReturnCode FAILED = new ReturnCode(32768);
    public static final ReturnCode ACCESS_DENIED = new ReturnCode(32769);
    public static final ReturnCode NOT_SUPPORTED = new ReturnCode(32770);
    public static final ReturnCode TIMEOUT = new ReturnCode(32772);
    public static final ReturnCode INVALID_PARAMETER = new ReturnCode(32773);
    public static final ReturnCode SYSTEM_IN_USE = new ReturnCode(32774);
    public static final ReturnCode INVALID_STATE = new ReturnCode(32775);
    public static final ReturnCode SYSTEM_NOT_AVAILABLE = new ReturnCode(32777);
    public static final ReturnCode OUT_OF_MEMORY = new ReturnCode(32778);
    public static final ReturnCode FILE_NOT_FOUND = new ReturnCode(32779);

    public String name() {
        return switch (code) {
            case 0 -> "Completed with No Error";
            case 4096 -> "Method Parameters Checked - Job Started";
            case 32768 -> "Failed";
            case 32769 -> "Access Denied";
            case 32770 -> "Not Supported";
            case 32771 -> "Status is unknown";
            case 32772 -> "Timeout";
            case 32773 -> "Invalid parameter";
            case 32774 -> "System is in use";
            case 32775 -> "Invalid state for this operation";
            case 32776 -> "Incorrect data type";
            case 32777 -> "System is not available";
            case 32778 -> "Out of memory";
            case 32779 -> "File not found";
            default -> "code " + code;
        };
    }

    @Override
    public String toString() {
        return code + " (" + name() + ")";
    }
}
