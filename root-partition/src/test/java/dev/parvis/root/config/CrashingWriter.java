package dev.parvis.root.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The child process of {@link ConfigStoreCrashSafetyTest}. It loads and links the JSON machinery without
 * touching the disk, prints {@value #READY}, waits for a line on standard input (end of input: exit),
 * saves {@link #configB} once, prints {@value #STARTED} and then saves {@link #configA} and
 * {@link #configB} alternately, as fast as it can, until it is killed.
 *
 * <p>Arguments: the data directory and the VM's id.
 */
public final class CrashingWriter {
    static final String READY = "ready";
    static final String STARTED = "writing";
    static final int NOTES_LENGTH = 2000;

    private CrashingWriter() {
    }

    static VmConfig configA(UUID id) {
        return base(id).withNotes("A".repeat(NOTES_LENGTH)).withVcpuCount(2);
    }

    static VmConfig configB(UUID id) {
        return base(id).withNotes("B".repeat(NOTES_LENGTH)).withVcpuCount(3)
                .withAutomaticStartAction(AutomaticStartAction.START);
    }

    private static VmConfig base(UUID id) {
        return new VmConfig(id, "crash-victim", VmConfig.CURRENT_VERSION, 1, 16, "/images/hello.elf",
                List.of(new DeviceConfig.EchoDevice(), DeviceConfig.IntegrationServices.DEFAULT), "",
                AutomaticStartAction.NOTHING, AutomaticStopAction.SAVE, CpuControls.DEFAULT);
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        UUID id = UUID.fromString(args[1]);
        VmConfig a = configA(id);
        VmConfig b = configB(id);
        ConfigStore store = new ConfigStore(data);
        // Warm up in memory, so the kill lands in the save loop rather than in class loading.
        ConfigJson.read(ConfigJson.write(a), data);
        ConfigJson.read(ConfigJson.write(b), data);
        System.out.println(READY);
        System.out.flush();
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
            return;
        }
        // The first save loads the file machinery (a cold path of tens of ms on a busy host): only once
        // it is done does the test's random delay start, so the kill lands inside the save loop.
        store.save(b);
        System.out.println(STARTED);
        System.out.flush();
        for (long i = 0; ; i++) {
            store.save((i & 1) == 0 ? a : b);
        }
    }
}
