package dev.parvis.wmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.root.storage.VhdxDiskService;
import dev.parvis.wmi.client.InProcessClient;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Msvm_ImageManagementService over the real VHDX service: the disk methods create, describe and grow files. */
class VhdxDiskMethodsTest {
    @TempDir
    Path tmp;

    @Test
    void createVirtualHardDiskMakesAVhdxThatGetSettingDataAndResizeSee() throws Exception {
        MockedService mocked = new MockedService();
        try (ManagementModel model = mocked.model(tmp, new VhdxDiskService())) {
            InProcessClient c = new InProcessClient(model, Caller.HOST);
            ObjectPath ims = ObjectPaths.hostService("Msvm_ImageManagementService", "vhdsvc", "testhost");
            Path file = tmp.resolve("storage/new.vhdx");
            CimInstance disk = CimInstance.builder("Msvm_VirtualHardDiskSettingData").set("Path", file.toString()).set("Type", 3)
                    .set("MaxInternalSize", 8L << 20).build();
            CimInstance job = c.awaitJob(c.invoke(ims, "CreateVirtualHardDisk",
                    Map.of("VirtualDiskSettingData", new CimValue.Instances(List.of(disk)))), Duration.ofSeconds(30));
            assertEquals(7L, job.integer("JobState").orElseThrow(), "completed");
            System.out.println("created " + file + ": " + Files.size(file) + " bytes");

            MethodResult settings = c.invoke(ims, "GetVirtualHardDiskSettingData", Map.of("Path", CimValue.of(file.toString())));
            assertEquals(ReturnCode.COMPLETED, settings.returnValue());
            CimInstance seen = ((CimValue.Instances) settings.outParameters().get("SettingData")).value().getFirst();
            assertEquals(8L << 20, seen.integer("MaxInternalSize").orElseThrow());
            assertEquals(3L, seen.integer("Type").orElseThrow());

            CimInstance resized = c.awaitJob(c.invoke(ims, "ResizeVirtualHardDisk",
                    Map.of("Path", CimValue.of(file.toString()), "MaxInternalSize", CimValue.of(16L << 20))), Duration.ofSeconds(30));
            assertEquals(7L, resized.integer("JobState").orElseThrow());
            CimInstance after = ((CimValue.Instances) c.invoke(ims, "GetVirtualHardDiskSettingData",
                    Map.of("Path", CimValue.of(file.toString()))).outParameters().get("SettingData")).value().getFirst();
            assertEquals(16L << 20, after.integer("MaxInternalSize").orElseThrow());
        }
    }
}
