package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmState;
import dev.parvis.vmcore.RootHypercalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages the root posted to a guest that has not taken the first one yet wait in the kernel, behind
 * the VP's busy SIM slot, in no page of the guest. A Save-VM through the management service (the VM's
 * worker: suspend, snapshot, VP state including TYPE_PARVIS_PENDING_MESSAGES) and a start from the
 * saved state must hand every one of them to the guest once, in order, as if nothing had happened.
 * The drain guest leaves its slot alone until the root sets event flag 0, then drains and reports the
 * sequence numbers it saw.
 */
@OnEachBackend
@Timeout(90)
class HeldMessagesAcrossSaveTest {
    private static final int MESSAGES = 6;
    private static final int EVENT_PORT = 7;

    @TempDir
    Path dataDir;

    @Test
    void messagesHeldBehindABusySlotAtSaveReachTheGuestOnceInOrderAfterRestore() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 64L << 20)) {
            UUID id = f.service.create(VmConfig.create("drain", "drain").withMemoryMiB(8).withDevices(List.of())).id();
            assertInstanceOf(VmState.Running.class, await(f.service.start(id)));
            awaitMessage(f, id, 4, "the guest's ready message");

            for (int seq = 0; seq < MESSAGES; seq++) {
                // The first fills the SIM slot; the others are held in the kernel behind it.
                assertEquals(HvStatus.SUCCESS, f.service.postToGuest(id, item(seq)), "post " + seq);
            }
            assertInstanceOf(VmState.Saved.class, await(f.service.save(id)));
            assertInstanceOf(VmState.Running.class, await(f.service.start(id)));

            RootHypercalls hc = new RootHypercalls(f.hv.gateway());
            assertEquals(HvStatus.SUCCESS, hc.signalEvent(eventConnection(f, hc, liveChild(f)), 0), "start the drain");
            ByteBuffer report = awaitMessage(f, id, 8 + 4 * MESSAGES,
                    "the guest's report of what it drained (a shorter or missing report: messages lost across the save)");
            int count = report.getInt();
            report.getInt(); // pending_seen
            List<Integer> seqs = new ArrayList<>();
            while (report.remaining() >= 4) {
                seqs.add(report.getInt());
            }
            assertEquals(IntStream.range(0, MESSAGES).boxed().toList(), seqs, "sequence numbers the guest drained after the restore");
            assertEquals(MESSAGES, count, "messages the guest drained");
        }
    }

    private static byte[] item(int seq) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(seq).putInt(seq == MESSAGES - 1 ? 1 : 0).array();
    }

    /** The restored partition (a new one: restore builds the child afresh). */
    static long liveChild(VmFixture f) {
        List<Partition> live = f.hv.partitions().all().stream()
                .filter(p -> !p.isRoot() && p.state() != PartitionState.DELETED).toList();
        assertEquals(1, live.size(), "one live child after the restore");
        return live.get(0).id();
    }

    /** An event port on the child's message SINT, flag 0, and the root's connection to it. */
    static int eventConnection(VmFixture f, RootHypercalls hc, long child) {
        int connection = 1000 + (int) child;
        long root = f.hv.root().id();
        hc.createPort(child, EVENT_PORT, root, new PortInfo(HvPortType.EVENT, BootProtocol.ROOT_MESSAGE_SINT, 0, (short) 0, (short) 1));
        hc.connectPort(root, connection, child, EVENT_PORT, HvPortType.EVENT);
        return connection;
    }

    /** The guest's next message of at least {@code bytes} (the VM's last message changes when a new one comes). */
    static ByteBuffer awaitMessage(VmFixture f, UUID id, int bytes, String what) throws InterruptedException {
        long deadline = System.nanoTime() + VmFixture.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<byte[]> m = f.service.lastGuestMessage(id);
            if (m.isPresent() && m.get().length >= bytes) {
                return ByteBuffer.wrap(m.get()).order(ByteOrder.LITTLE_ENDIAN);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("timed out waiting for " + what + "; last message "
                + f.service.lastGuestMessage(id).map(b -> b.length + " bytes").orElse("none") + "; " + vpFlags(f, id));
    }

    /** What a timed-out wait saw: the VM's state and each live child VP's halt, wake and SynIC queue, to tell a lost wake-up from a lost message. */
    private static String vpFlags(VmFixture f, UUID id) {
        StringBuilder s = new StringBuilder("VM ").append(f.service.get(id).map(i -> i.state().toString()).orElse("gone"));
        for (Partition p : f.hv.partitions().all()) {
            if (p.isRoot() || p.state() == PartitionState.DELETED) {
                continue;
            }
            s.append("; partition ").append(p.id()).append(' ').append(p.state());
            for (var vp : p.vps()) {
                if (vp != null) {
                    s.append(", VP halted=").append(vp.isHalted()).append(" wakePending=").append(vp.wakePending())
                            .append(" queued=").append(vp.synic().queued().size()).append(" delivered=").append(vp.synic().deliveredCount());
                }
            }
        }
        return s.toString();
    }
}
