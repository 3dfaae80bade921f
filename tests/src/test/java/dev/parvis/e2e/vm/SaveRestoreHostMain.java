package dev.parvis.e2e.vm;

import dev.parvis.e2e.GuestHarness;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.vm.VmHost;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A host process for {@link SaveRestoreAcrossHostsTest}: {@code save DIR} creates and starts a
 * counter VM, waits for it to count, saves it and prints the counter; {@code restore DIR GPA}
 * loads the configs, restores the VM and prints the counter after ~200 ms and again later.
 */
public final class SaveRestoreHostMain {
    private static final String NAME = "counter-across";

    private SaveRestoreHostMain() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[1]);
        try (VmHost host = VmHost.start(new VmHost.Options(dataDir, GuestHarness.guestsDir(), 64L << 20,
                dev.parvis.hv.backend.BackendChoice.fromSystemProperty(dev.parvis.hv.backend.BackendChoice.UNICORN)))) {
            VmManagementService s = host.service();
            switch (args[0]) {
                case "save" -> save(s);
                case "restore" -> restore(s, host, Long.parseLong(args[2]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
        System.out.flush();
        System.exit(0);
    }

    private static void save(VmManagementService s) throws Exception {
        UUID id = s.create(VmFixture.counterVm(NAME, 16).withAutomaticStopAction(AutomaticStopAction.TURN_OFF)).id();
        VmFixture.await(s.start(id));
        long gpa = waitGpa(s, id);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (s.readGuestU64(id, gpa) < 5_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        VmState after = VmFixture.await(s.save(id));
        if (!(after instanceof VmState.Saved)) {
            throw new IllegalStateException("save ended in " + after);
        }
        // The exact counter the guest was saved with, read from the saved state.
        System.out.printf("RESULT counter=%d gpa=%d%n", savedCounter(s, id, gpa), gpa);
    }

    private static long savedCounter(VmManagementService s, UUID id, long gpa) {
        return s.savedGuestU64(id, gpa);
    }

    private static long waitGpa(VmManagementService s, UUID id) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            var m = s.lastGuestMessage(id);
            if (m.isPresent()) {
                return java.nio.ByteBuffer.wrap(m.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("no counter address from the guest");
    }

    private static void restore(VmManagementService s, VmHost host, long gpa) throws Exception {
        VmManagementService.VmInfo vm = s.get(NAME).orElseThrow(() -> new IllegalStateException("no VM " + NAME + ": " + host.problems()));
        if (!(vm.state() instanceof VmState.Saved)) {
            throw new IllegalStateException(NAME + " is " + vm.state() + ", not Saved");
        }
        VmFixture.await(s.start(vm.id()));
        Thread.sleep(200);
        long counter = s.readGuestU64(vm.id(), gpa);
        Thread.sleep(100);
        long later = s.readGuestU64(vm.id(), gpa);
        boolean gone = Files.notExists(host.service().savedStatePath(vm.id()));
        System.out.printf("RESULT counter=%d later=%d savedStateGone=%d%n", counter, later, gone ? 1 : 0);
    }
}
