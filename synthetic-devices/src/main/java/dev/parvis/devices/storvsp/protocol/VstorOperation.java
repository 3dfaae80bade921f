package dev.parvis.devices.storvsp.protocol;

/** A vstor_packet operation (hyperv-abi-vmbus.md 10.1); an unknown value from a guest is data. */
public record VstorOperation(int raw) {
    public static final VstorOperation COMPLETE_IO = new VstorOperation(1);
    public static final VstorOperation REMOVE_DEVICE = new VstorOperation(2);
    public static final VstorOperation EXECUTE_SRB = new VstorOperation(3);
    public static final VstorOperation RESET_LUN = new VstorOperation(4);
    public static final VstorOperation RESET_ADAPTER = new VstorOperation(5);
    public static final VstorOperation RESET_BUS = new VstorOperation(6);
    public static final VstorOperation BEGIN_INITIALIZATION = new VstorOperation(7);
    public static final VstorOperation END_INITIALIZATION = new VstorOperation(8);
    public static final VstorOperation QUERY_PROTOCOL_VERSION = new VstorOperation(9);
    public static final VstorOperation QUERY_PROPERTIES = new VstorOperation(10);
    public static final VstorOperation ENUMERATE_BUS = new VstorOperation(11);
    public static final VstorOperation FCHBA_DATA = new VstorOperation(12);
    public static final VstorOperation CREATE_SUB_CHANNELS = new VstorOperation(13);

    private static final String[] NAMES = {null, "COMPLETE_IO", "REMOVE_DEVICE", "EXECUTE_SRB", "RESET_LUN",
        "RESET_ADAPTER", "RESET_BUS", "BEGIN_INITIALIZATION", "END_INITIALIZATION", "QUERY_PROTOCOL_VERSION",
        "QUERY_PROPERTIES", "ENUMERATE_BUS", "FCHBA_DATA", "CREATE_SUB_CHANNELS"};

    @Override
    public String toString() {
        return raw > 0 && raw < NAMES.length ? NAMES[raw] : "operation 0x" + Integer.toHexString(raw);
    }
}
