package dev.parvis.wmi.job;

/** Msvm_ConcreteJob.JobType codes (management model reference section 3.5). */
public final class JobType {
    public static final int DEFINE_VM = 1;
    public static final int MODIFY_VM = 2;
    public static final int DESTROY_VM = 3;
    public static final int START = 12;
    public static final int POWER_OFF = 13;
    public static final int SAVE = 14;
    public static final int RESTORE = 15;
    public static final int SHUT_DOWN = 16;
    public static final int PAUSE = 26;
    public static final int RESUME = 27;
    public static final int RESET = 28;
    public static final int ADD_RESOURCES = 30;
    public static final int MODIFY_RESOURCES = 31;
    public static final int REMOVE_RESOURCES = 32;
    public static final int MERGE_VHD = 50;
    /** Parvis: disk image work (create, resize) and guest file copy, which the reference does not number. */
    public static final int DISK_IMAGE = 51;
    public static final int COPY_FILE = 52;
    public static final int KVP = 53;

    private JobType() {}
}
