package dev.parvis.devices.ic;

import dev.parvis.abi.ic.HeartbeatMessage;
import dev.parvis.abi.ic.IcConstants;
import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeartbeatServiceTest {

    static int answerSequencePlusOne(dev.parvis.abi.ic.IcMessageHeader h, java.lang.foreign.MemorySegment body) {
        HeartbeatMessage m = HeartbeatMessage.read(body);
        new HeartbeatMessage(m.sequenceNumber() + 1, IcConstants.HEARTBEAT_STATE_HEALTHY).write(body);
        return IcConstants.S_OK;
    }

    @Test
    void noContactBeforeTheGuestOpensAndOkOnceItAnswersCorrectly() throws Exception {
        HeartbeatService heartbeat = new HeartbeatService();
        java.util.List<IcStatus> beforeEachAnswer = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (IcFixture f = new IcFixture(heartbeat)) {
            assertEquals(IcStatus.NO_CONTACT, heartbeat.status());
            f.guest(heartbeat, IcVersions.HEARTBEAT, (h, body) -> {
                beforeEachAnswer.add(heartbeat.status());
                return answerSequencePlusOne(h, body);
            });
            // The bound only guards against a hang; what is checked is the order of events.
            IcFixture.waitFor("heartbeat Ok", Duration.ofSeconds(20), () -> heartbeat.status().equals(IcStatus.OK));
            assertEquals(false, beforeEachAnswer.isEmpty(), "the guest answered a heartbeat");
            assertEquals(false, beforeEachAnswer.getFirst().equals(IcStatus.OK),
                    "not Ok before the first answer: " + beforeEachAnswer);
        }
    }

    @Test
    void lostCommunicationAfterTheGuestStopsAnswering() throws Exception {
        HeartbeatService heartbeat = new HeartbeatService();
        try (IcFixture f = new IcFixture(heartbeat)) {
            GuestResponder g = f.guest(heartbeat, IcVersions.HEARTBEAT, HeartbeatServiceTest::answerSequencePlusOne);
            IcFixture.waitFor("heartbeat Ok", Duration.ofSeconds(2), () -> heartbeat.status().equals(IcStatus.OK));
            g.stopAnswering();
            IcFixture.waitFor("lost communication", Duration.ofSeconds(6),
                    () -> heartbeat.status().equals(IcStatus.LOST_COMMUNICATION));
        }
    }

    @Test
    void lateAnswersMeanLostCommunicationNotADegradedService() throws Exception {
        HeartbeatService heartbeat = new HeartbeatService(Duration.ofMillis(200));
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        try (IcFixture f = new IcFixture(heartbeat)) {
            f.guest(heartbeat, IcVersions.HEARTBEAT, (h, b) -> {
                if (n.incrementAndGet() > 3) {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return answerSequencePlusOne(h, b);
            });
            IcFixture.waitFor("lost communication", Duration.ofSeconds(5),
                    () -> heartbeat.status().equals(IcStatus.LOST_COMMUNICATION));
            IcFixture.waitFor("a late answer dropped", Duration.ofSeconds(5), () -> heartbeat.channel().lateCount() > 0);
            assertEquals(0, heartbeat.channel().malformedCount());
            assertEquals(IcStatus.LOST_COMMUNICATION, heartbeat.status());
        }
    }

    @Test
    void aWrongSequenceNumberIsNotContact() throws Exception {
        HeartbeatService heartbeat = new HeartbeatService(Duration.ofMillis(200));
        try (IcFixture f = new IcFixture(heartbeat)) {
            GuestResponder g = f.guest(heartbeat, IcVersions.HEARTBEAT, (h, b) -> IcConstants.S_OK);
            IcFixture.waitFor("3 heartbeats", Duration.ofSeconds(3),
                    () -> g.requests(dev.parvis.abi.ic.IcMessageType.HEARTBEAT).size() >= 3);
            assertEquals(IcStatus.NO_CONTACT, heartbeat.status());
            assertEquals(0, heartbeat.answeredCount());
        }
    }
}
