package dev.parvis.root.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The persistent settings of one VM, as stored in its {@code vm.json}. Immutable; change it with the
 * {@code with*} methods and {@link ConfigStore#save}.
 *
 * @param id                   the VM's identity (Hyper-V's VMId); also the name of its directory
 * @param name                 display name, not blank, at most {@value #MAX_NAME_LENGTH} characters
 * @param configVersion        the file format version; {@value #CURRENT_VERSION} for every config in memory
 * @param vcpuCount            virtual processors, 1..{@value #MAX_VCPUS}
 * @param memoryMiB            startup memory in MiB, {@value #MIN_MEMORY_MIB}..{@value #MAX_MEMORY_MIB}
 * @param image                path of the guest image (an ELF64 file), not blank
 * @param devices              attached synthetic devices, in offer order
 * @param notes                free text (Hyper-V's Notes), may be empty
 * @param automaticStartAction what to do when the host starts
 * @param automaticStopAction  what to do when the host stops
 * @param cpu                  processor weight, reserve and limit
 */
@JsonPropertyOrder({"configVersion", "id", "name", "vcpuCount", "memoryMiB", "image", "devices", "notes",
        "automaticStartAction", "automaticStopAction", "cpu"})
public record VmConfig(
        @JsonProperty("id") UUID id,
        @JsonProperty("name") String name,
        @JsonProperty("configVersion") int configVersion,
        @JsonProperty("vcpuCount") int vcpuCount,
        @JsonProperty("memoryMiB") long memoryMiB,
        @JsonProperty("image") String image,
        @JsonProperty("devices") List<DeviceConfig> devices,
        @JsonProperty("notes") String notes,
        @JsonProperty("automaticStartAction") AutomaticStartAction automaticStartAction,
        @JsonProperty("automaticStopAction") AutomaticStopAction automaticStopAction,
        @JsonProperty("cpu") CpuControls cpu) {

    /** The {@code vm.json} format version this build writes and reads. */
    public static final int CURRENT_VERSION = 1;
    public static final int MAX_NAME_LENGTH = 100;
    public static final int MAX_VCPUS = 64;
    public static final long MIN_MEMORY_MIB = 2;
    public static final long MAX_MEMORY_MIB = 4096;
    public static final long DEFAULT_MEMORY_MIB = 16;

    public VmConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(devices, "devices");
        Objects.requireNonNull(notes, "notes");
        Objects.requireNonNull(automaticStartAction, "automaticStartAction");
        Objects.requireNonNull(automaticStopAction, "automaticStopAction");
        Objects.requireNonNull(cpu, "cpu");
        if (configVersion != CURRENT_VERSION) {
            throw new IllegalArgumentException("configVersion must be " + CURRENT_VERSION + ": " + configVersion);
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name must be at most " + MAX_NAME_LENGTH + " characters: " + name.length());
        }
        if (vcpuCount < 1 || vcpuCount > MAX_VCPUS) {
            throw new IllegalArgumentException("vcpuCount must be 1.." + MAX_VCPUS + ": " + vcpuCount);
        }
        if (memoryMiB < MIN_MEMORY_MIB || memoryMiB > MAX_MEMORY_MIB) {
            throw new IllegalArgumentException(
                    "memoryMiB must be " + MIN_MEMORY_MIB + ".." + MAX_MEMORY_MIB + ": " + memoryMiB);
        }
        if (image.isBlank()) {
            throw new IllegalArgumentException("image must not be blank");
        }
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i) == null) {
                throw new IllegalArgumentException("devices[" + i + "] must not be null");
            }
        }
        devices = List.copyOf(devices);
    }

    /**
     * A new VM with a random id and defaults: 1 vCPU, {@value #DEFAULT_MEMORY_MIB} MiB, an echo device, no
     * notes, start action NOTHING, stop action SAVE (Hyper-V's default) and {@link CpuControls#DEFAULT}.
     */
    public static VmConfig create(String name, String image) {
        return new VmConfig(UUID.randomUUID(), name, CURRENT_VERSION, 1, DEFAULT_MEMORY_MIB, image,
                List.of(new DeviceConfig.EchoDevice()), "", AutomaticStartAction.NOTHING, AutomaticStopAction.SAVE,
                CpuControls.DEFAULT);
    }

    public VmConfig withName(String name) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withVcpuCount(int vcpuCount) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withMemoryMiB(long memoryMiB) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withImage(String image) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withDevices(List<DeviceConfig> devices) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withNotes(String notes) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withAutomaticStartAction(AutomaticStartAction automaticStartAction) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withAutomaticStopAction(AutomaticStopAction automaticStopAction) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }

    public VmConfig withCpu(CpuControls cpu) {
        return new VmConfig(id, name, configVersion, vcpuCount, memoryMiB, image, devices, notes,
                automaticStartAction, automaticStopAction, cpu);
    }
}
