package dev.parvis.root.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A synthetic device attached to a VM. In {@code vm.json} each device is an object whose {@code "type"}
 * names the kind: {@code echo}, {@code integrationServices}, {@code disk}, {@code networkAdapter}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DeviceConfig.EchoDevice.class, name = "echo"),
        @JsonSubTypes.Type(value = DeviceConfig.IntegrationServices.class, name = "integrationServices"),
        @JsonSubTypes.Type(value = DeviceConfig.Disk.class, name = "disk"),
        @JsonSubTypes.Type(value = DeviceConfig.NetworkAdapter.class, name = "networkAdapter")
})
public sealed interface DeviceConfig {

    /** The VMBus echo test device. */
    @JsonTypeName("echo")
    record EchoDevice() implements DeviceConfig {
    }

    /**
     * The integration services offered to the guest (Hyper-V's Heartbeat, Shutdown, Time
     * Synchronization, Key-Value Pair Exchange and Guest Service Interface).
     */
    @JsonTypeName("integrationServices")
    @JsonPropertyOrder({"heartbeat", "shutdown", "timeSync", "kvp", "fileCopy"})
    record IntegrationServices(
            @JsonProperty("heartbeat") boolean heartbeat,
            @JsonProperty("shutdown") boolean shutdown,
            @JsonProperty("timeSync") boolean timeSync,
            @JsonProperty("kvp") boolean kvp,
            @JsonProperty("fileCopy") boolean fileCopy) implements DeviceConfig {

        /** Hyper-V's default: everything but the guest service interface (file copy). */
        public static final IntegrationServices DEFAULT = new IntegrationServices(true, true, true, true, false);
    }

    /**
     * A virtual disk: the VHDX file at {@code path} on SCSI controller {@code controller}, LUN
     * {@code lun} ({@link #NEXT_FREE_LUN}, -1: the next free LUN of that controller, in config order), writable unless
     * {@code readOnly}. The path is hostile input: the file is opened only if it is a regular file,
     * never through a symbolic link, and refused with the reason if it is not a valid VHDX.
     */
    @JsonTypeName("disk")
    @JsonPropertyOrder({"path", "controller", "lun", "readOnly"})
    record Disk(@JsonProperty("path") String path,
                @JsonProperty("controller") int controller,
                @JsonProperty("lun") int lun,
                @JsonProperty("readOnly") boolean readOnly) implements DeviceConfig {
        public Disk {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("disk path must not be blank");
            }
            if (controller < 0 || controller > 3) {
                throw new IllegalArgumentException("disk controller must be 0-3: " + controller);
            }
            if (lun < NEXT_FREE_LUN || lun > 63) {
                throw new IllegalArgumentException("disk LUN must be 0-63, or -1 for the next free one: " + lun);
            }
        }

        /** {@code lun} value: the lowest LUN of the controller that no other disk of the VM names. */
        public static final int NEXT_FREE_LUN = -1;

        /** A writable disk on controller 0 at the next free LUN. */
        public Disk(String path) {
            this(path, 0, NEXT_FREE_LUN, false);
        }

        /**
         * A disk entry of {@code vm.json}: {@code path} is required; {@code controller} (default 0),
         * {@code lun} (default: the next free one) and {@code readOnly} (default false) may be left
         * out, as Add-VMHardDiskDrive leaves them to Hyper-V. A field that is there must have its
         * type: no string for a number, no null.
         */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Disk fromJson(JsonNode entry) {
            JsonNode path = entry.get("path");
            if (path == null || !path.isTextual()) {
                throw new IllegalArgumentException("disk 'path' must be a string" + (path == null ? " (it is missing)" : ""));
            }
            return new Disk(path.textValue(), optionalInt(entry, "controller", 0), optionalInt(entry, "lun", NEXT_FREE_LUN),
                    optionalBoolean(entry, "readOnly"));
        }

        private static int optionalInt(JsonNode entry, String field, int otherwise) {
            JsonNode v = entry.get(field);
            if (v == null) {
                return otherwise;
            }
            if (!v.isInt()) {
                throw new IllegalArgumentException("disk '" + field + "' must be an integer: " + v);
            }
            return v.intValue();
        }

        private static boolean optionalBoolean(JsonNode entry, String field) {
            JsonNode v = entry.get(field);
            if (v == null) {
                return false;
            }
            if (!v.isBoolean()) {
                throw new IllegalArgumentException("disk '" + field + "' must be true or false: " + v);
            }
            return v.booleanValue();
        }
    }

    /** A synthetic network adapter connected to the virtual switch {@code switchName}. */
    @JsonTypeName("networkAdapter")
    record NetworkAdapter(@JsonProperty("switchName") String switchName) implements DeviceConfig {
        public NetworkAdapter {
            if (switchName == null || switchName.isBlank()) {
                throw new IllegalArgumentException("network adapter switch name must not be blank");
            }
        }
    }
}
