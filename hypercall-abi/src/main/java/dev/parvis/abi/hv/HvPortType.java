package dev.parvis.abi.hv;

/** SynIC port types for HvCallCreatePort/HvCallConnectPort, reference section 3.4. */
public final class HvPortType {
    public static final int MESSAGE = 1;
    public static final int EVENT = 2;
    public static final int MONITOR = 3;
    /** Root only. */
    public static final int DOORBELL = 4;

    private HvPortType() {
    }
}
