package dev.parvis.root.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VmConfigTest {
    private final VmConfig base = VmConfig.create("web01", "/images/hello.elf");

    @Test
    void aNewVmGetsHyperVLikeDefaults() {
        assertEquals("web01", base.name());
        assertEquals("/images/hello.elf", base.image());
        assertEquals(VmConfig.CURRENT_VERSION, base.configVersion());
        assertEquals(1, base.vcpuCount());
        assertEquals(16, base.memoryMiB());
        assertEquals(List.of(new DeviceConfig.EchoDevice()), base.devices());
        assertEquals("", base.notes());
        assertEquals(AutomaticStartAction.NOTHING, base.automaticStartAction());
        assertEquals(AutomaticStopAction.SAVE, base.automaticStopAction());
        assertEquals(new CpuControls(100, 0, 100), base.cpu());
        assertEquals(CpuControls.DEFAULT, base.cpu());
    }

    @Test
    void everyNewVmGetsItsOwnId() {
        assertNotEquals(base.id(), VmConfig.create("web01", "/images/hello.elf").id());
    }

    @Test
    void withMethodsChangeOneFieldAndKeepTheRest() {
        VmConfig changed = base.withName("web02").withVcpuCount(4).withMemoryMiB(256).withImage("/i/x.elf")
                .withDevices(List.of(new DeviceConfig.Disk("/d.img"))).withNotes("n")
                .withAutomaticStartAction(AutomaticStartAction.START)
                .withAutomaticStopAction(AutomaticStopAction.SHUT_DOWN)
                .withCpu(new CpuControls(200, 10, 50));
        assertEquals(new VmConfig(base.id(), "web02", 1, 4, 256, "/i/x.elf", List.of(new DeviceConfig.Disk("/d.img")),
                "n", AutomaticStartAction.START, AutomaticStopAction.SHUT_DOWN, new CpuControls(200, 10, 50)), changed);
        assertEquals("web01", base.name(), "the original is unchanged");
    }

    @Test
    void nameMustBeNonBlankAndAtMostOneHundredCharacters() {
        assertThrows(IllegalArgumentException.class, () -> base.withName(""));
        assertThrows(IllegalArgumentException.class, () -> base.withName("   "));
        assertThrows(IllegalArgumentException.class, () -> base.withName("x".repeat(101)));
        assertThrows(NullPointerException.class, () -> base.withName(null));
        assertEquals(100, base.withName("x".repeat(100)).name().length());
    }

    @Test
    void vcpuCountMustBeOneToSixtyFour() {
        assertThrows(IllegalArgumentException.class, () -> base.withVcpuCount(0));
        assertThrows(IllegalArgumentException.class, () -> base.withVcpuCount(65));
        assertEquals(64, base.withVcpuCount(64).vcpuCount());
    }

    @Test
    void memoryMustBeTwoToFourThousandNinetySixMiB() {
        assertThrows(IllegalArgumentException.class, () -> base.withMemoryMiB(1));
        assertThrows(IllegalArgumentException.class, () -> base.withMemoryMiB(4097));
        assertEquals(2, base.withMemoryMiB(2).memoryMiB());
        assertEquals(4096, base.withMemoryMiB(4096).memoryMiB());
    }

    @Test
    void imageMustNotBeBlank() {
        assertThrows(IllegalArgumentException.class, () -> base.withImage(" "));
        assertThrows(IllegalArgumentException.class, () -> VmConfig.create("a", ""));
    }

    @Test
    void onlyTheCurrentConfigVersionCanBeConstructed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new VmConfig(UUID.randomUUID(), "a", 2, 1, 16, "i",
                List.of(), "", AutomaticStartAction.NOTHING, AutomaticStopAction.SAVE, CpuControls.DEFAULT));
        assertTrue(e.getMessage().contains("configVersion"), e.getMessage());
    }

    @Test
    void devicesAreCopiedAndMayNotContainNull() {
        List<DeviceConfig> devices = new ArrayList<>(List.of(new DeviceConfig.EchoDevice()));
        VmConfig config = base.withDevices(devices);
        devices.add(new DeviceConfig.Disk("/d"));
        assertEquals(1, config.devices().size(), "later changes to the caller's list do not leak in");
        assertThrows(UnsupportedOperationException.class, () -> config.devices().clear());
        assertThrows(IllegalArgumentException.class,
                () -> base.withDevices(Arrays.asList(new DeviceConfig.EchoDevice(), null)));
    }

    @Test
    void devicesNeedTheirPathOrSwitch() {
        assertThrows(IllegalArgumentException.class, () -> new DeviceConfig.Disk(""));
        assertThrows(IllegalArgumentException.class, () -> new DeviceConfig.NetworkAdapter(null));
    }

    @Test
    void cpuControlsAreRangeChecked() {
        assertThrows(IllegalArgumentException.class, () -> new CpuControls(0, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new CpuControls(10_001, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new CpuControls(100, -1, 100));
        assertThrows(IllegalArgumentException.class, () -> new CpuControls(100, 101, 100));
        assertThrows(IllegalArgumentException.class, () -> new CpuControls(100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CpuControls(100, 0, 101));
        new CpuControls(1, 100, 1);
        new CpuControls(10_000, 0, 100);
    }
}
