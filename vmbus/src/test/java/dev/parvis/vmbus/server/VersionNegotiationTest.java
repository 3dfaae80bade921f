package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.abi.vmbus.UnloadResponse;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionNegotiationTest {

    private static VersionResponse only(List<ChannelMessage> answers) {
        assertEquals(1, answers.size(), answers.toString());
        return (VersionResponse) answers.getFirst();
    }

    @Test
    void accepts53AndAnswersMessageConnectionId1() {
        try (ServerHarness h = new ServerHarness()) {
            VersionResponse r = only(h.connect(VmbusVersion.WIN10_V5_3));
            assertTrue(r.versionSupported());
            assertEquals(0, r.connectionState());
            assertEquals(1, r.messageConnectionId());
            assertEquals(VmbusVersion.WIN10_V5_3, h.server.version().orElseThrow());
        }
    }

    @Test
    void acceptsEveryVersionFromWin10To53() {
        for (VmbusVersion v : List.of(VmbusVersion.WIN10, VmbusVersion.WIN10_V4_1, VmbusVersion.WIN10_V5,
                VmbusVersion.WIN10_V5_1, VmbusVersion.WIN10_V5_2, VmbusVersion.WIN10_V5_3)) {
            try (ServerHarness h = new ServerHarness()) {
                assertTrue(only(h.connect(v)).versionSupported(), v.toString());
            }
        }
    }

    @Test
    void refuses60And30WithVersionSupported0() {
        try (ServerHarness h = new ServerHarness()) {
            assertFalse(only(h.connect(VmbusVersion.COPPER)).versionSupported());
            assertFalse(only(h.connect(VmbusVersion.WIN8_1)).versionSupported());
            assertFalse(only(h.connect(new VmbusVersion(0x00070009))).versionSupported());
            assertTrue(h.server.version().isEmpty());
        }
    }

    @Test
    void accepts40AfterARefused60() {
        try (ServerHarness h = new ServerHarness()) {
            assertFalse(only(h.connect(VmbusVersion.COPPER)).versionSupported());
            VersionResponse r = only(h.connect(VmbusVersion.WIN10));
            assertTrue(r.versionSupported());
            assertEquals(VmbusVersion.WIN10, h.server.version().orElseThrow());
        }
    }

    @Test
    void refusesASecondInitiateContactWhileConnectedAndAcceptsOneAfterUnload() {
        try (ServerHarness h = new ServerHarness()) {
            assertTrue(only(h.connect(VmbusVersion.WIN10_V5_3)).versionSupported());
            assertFalse(only(h.connect(VmbusVersion.WIN10_V5_2)).versionSupported());
            assertEquals(VmbusVersion.WIN10_V5_3, h.server.version().orElseThrow());
            assertTrue(h.effects.logCount() > 0);
            assertTrue(h.send(new Unload()).getFirst() instanceof UnloadResponse);
            assertTrue(h.server.version().isEmpty());
            assertTrue(only(h.connect(VmbusVersion.WIN10_V5_2)).versionSupported());
        }
    }

    @Test
    void answersOnTheRequestedVcpuAndSintFrom50() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.onMessage(java.lang.foreign.MemorySegment.ofArray(new InitiateContact(VmbusVersion.WIN10_V5_3, 3,
                    InitiateContact.interruptPageForSint(5, 0), 0, 0).toBytes()), InitiateContact.SIZE);
            List<RecordingEffects.Sent> sent = h.effects.takeSent();
            assertEquals(new GuestTarget(3, 5), sent.getFirst().target());
            h.send(new dev.parvis.abi.vmbus.RequestOffers());
            // ALL_OFFERS_DELIVERED went to the same target
        }
    }

    @Test
    void answersBelow50OnSint2() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.onMessage(java.lang.foreign.MemorySegment.ofArray(new InitiateContact(VmbusVersion.WIN10, 1,
                    0x12345000L, 0, 0).toBytes()), InitiateContact.SIZE);
            List<RecordingEffects.Sent> sent = h.effects.takeSent();
            assertEquals(new GuestTarget(1, 2), sent.getFirst().target());
            assertTrue(((VersionResponse) sent.getFirst().message()).versionSupported());
        }
    }

    @Test
    void refusesATargetVcpuTheChildDoesNotHave() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.onMessage(java.lang.foreign.MemorySegment.ofArray(new InitiateContact(VmbusVersion.WIN10_V5_3, 99,
                    InitiateContact.interruptPageForSint(2, 0), 0, 0).toBytes()), InitiateContact.SIZE);
            List<RecordingEffects.Sent> sent = h.effects.takeSent();
            assertEquals(new GuestTarget(0, 2), sent.getFirst().target());
            assertFalse(((VersionResponse) sent.getFirst().message()).versionSupported());
        }
    }
}
