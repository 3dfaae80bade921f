package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageHeader;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.IcVersion;
import dev.parvis.abi.vmbus.PipeHeader;
import dev.parvis.vmbus.client.ClientChannel;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile guest floods one IC channel with malformed messages: that service goes Degraded with
 * a reason, its handler never throws (every message is counted and the channel stays open), and
 * another service on the same VMBus server keeps working.
 */
class IcFuzzTest {
    private static final int MESSAGES = 12_000;
    private static final int CASES = 10;

    @Test
    void malformedMessagesDegradeOnlyTheirServiceAndNeverEscapeTheHandler() throws Exception {
        HeartbeatService heartbeat = new HeartbeatService();
        KvpService kvp = new KvpService();
        try (IcFixture f = new IcFixture(heartbeat, kvp)) {
            f.guest(kvp, List.of(IcVersion.of(4, 0)), new GuestKvpStore());
            ClientChannel hostile = f.open(heartbeat.interfaceType());
            GuestResponder g = new GuestResponder(hostile, GuestResponder.LINUX_FRAMEWORK, IcVersions.HEARTBEAT,
                    HeartbeatServiceTest::answerSequencePlusOne);
            try (g) {
                IcFixture.waitFor("heartbeat Ok", Duration.ofSeconds(3), () -> heartbeat.status().equals(IcStatus.OK));
                IcVersions.Negotiated v = heartbeat.channel().negotiated();
                g.stopAnswering();
                Random random = new Random(20261125);
                int[] perCase = new int[CASES];
                for (int i = 0; i < MESSAGES; i++) {
                    int c = i % CASES;
                    perCase[c]++;
                    hostile.sendInband((1L << 40) + i, malformed(c, random, v), false);
                }
                IcChannel ic = heartbeat.channel();
                assertNotNull(ic, "the hostile channel is still open");
                IcFixture.waitFor("every message checked", Duration.ofSeconds(30),
                        () -> ic.malformedCount() == MESSAGES);
                IcStatus.Degraded d = assertInstanceOf(IcStatus.Degraded.class, heartbeat.status());
                assertTrue(!d.reason().isBlank());
                assertNotNull(heartbeat.channel(), "the channel survived");
                assertNull(g.failure());

                // The other service on the same server still works.
                assertTrue(kvp.set(IcConstants.KVP_POOL_EXTERNAL, "after", "fuzz").succeeded());
                assertEquals(Optional.of("fuzz"), kvp.get(IcConstants.KVP_POOL_EXTERNAL, "after"));
                assertEquals(IcStatus.OK, kvp.status());
                for (int n : perCase) {
                    assertTrue(n >= 1000);
                }
            }
        }
    }

    /** One message that is wrong in the way case {@code c} says. */
    private static MemorySegment malformed(int c, Random r, IcVersions.Negotiated v) {
        int bodySize = r.nextInt(64);
        byte[] b = new byte[PipeHeader.SIZE + IcMessageHeader.SIZE + bodySize];
        MemorySegment s = MemorySegment.ofArray(b);
        r.nextBytes(b);
        int length = IcMessageHeader.SIZE + bodySize;
        IcVersion fw = v.framework();
        IcVersion msg = v.message();
        byte flags = IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_RESPONSE;
        int size = bodySize;
        IcMessageType type = IcMessageType.HEARTBEAT;
        switch (c) {
            case 0 -> { // too short for a pipe header
                return MemorySegment.ofArray(new byte[1 + r.nextInt(7)]);
            }
            case 1 -> { // random pipe packet type
                new PipeHeader(2 + r.nextInt(Integer.MAX_VALUE - 2), length).write(s);
                return s;
            }
            case 2 -> { // pipe length out of range
                int[] bad = {0, r.nextInt(IcMessageHeader.SIZE), IcConstants.MAX_MESSAGE_SIZE + 1 + r.nextInt(1000),
                        -1 - r.nextInt(1000)};
                new PipeHeader(IcConstants.PIPE_PACKET_DATA, bad[r.nextInt(bad.length)]).write(s);
                return s;
            }
            case 3 -> { // truncated: the pipe header promises more than the packet holds
                new PipeHeader(IcConstants.PIPE_PACKET_DATA, length + 8 + r.nextInt(4000)).write(s);
                return s;
            }
            case 4 -> { // wrong flags
                do {
                    flags = (byte) r.nextInt(256);
                } while (flags == (IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_RESPONSE));
            }
            case 5 -> size = bodySize + 1 + r.nextInt(60000); // message size beyond the packet
            case 6 -> { // unknown versions
                do {
                    fw = IcVersion.of(r.nextInt(0x10000), r.nextInt(0x10000));
                    msg = IcVersion.of(r.nextInt(0x10000), r.nextInt(0x10000));
                } while (fw.equals(v.framework()) && msg.equals(v.message()));
            }
            case 7 -> type = IcMessageType.of(8 + r.nextInt(100)); // a type nobody asked for
            case 8 -> { // garbage body in an unsolicited but well-framed answer
            }
            default -> { // a request (not a response) from the guest
                flags = IcConstants.FLAG_TRANSACTION | IcConstants.FLAG_REQUEST;
            }
        }
        new PipeHeader(IcConstants.PIPE_PACKET_DATA, length).write(s);
        new IcMessageHeader(fw, type, msg, size & 0xFFFF, r.nextInt(), (byte) r.nextInt(), flags)
                .write(s.asSlice(IcConstants.HEADER_OFFSET, IcMessageHeader.SIZE));
        return s;
    }
}
