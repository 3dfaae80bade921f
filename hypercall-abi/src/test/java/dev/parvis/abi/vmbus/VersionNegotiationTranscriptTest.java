package dev.parvis.abi.vmbus;

import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.input.PostMessageInput;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 5.3 handshake (reference sections 6.4-6.5) as bytes typed in by hand: the guest's
 * INITIATE_CONTACT on connection 4 and the host's VERSION_RESPONSE naming connection 1.
 */
class VersionNegotiationTranscriptTest {
    /** type 14, pad, version 5.3, target_vcpu 0, msg_sint 2 / msg_vtl 0, monitor pages 0x3000 and 0x4000. */
    private static final byte[] INITIATE_CONTACT_5_3 = HexFormat.of().parseHex(
            "0e000000" + "00000000" + "03000500" + "00000000" + "0200000000000000"
                    + "0030000000000000" + "0040000000000000");
    /** type 15, pad, supported 1, state 0 (success), pad, msg_conn_id 1. */
    private static final byte[] VERSION_RESPONSE_OK = HexFormat.of().parseHex(
            "0f000000" + "00000000" + "01" + "00" + "0000" + "01000000");

    @Test
    void guestAsksForFiveThreeAndTheHostAcceptsOnConnectionOne() {
        assertEquals(40, INITIATE_CONTACT_5_3.length);
        assertEquals(16, VERSION_RESPONSE_OK.length);

        // Guest side: builds the request and posts it on connection 4 as HV message type 1.
        InitiateContact request = new InitiateContact(VmbusVersion.WIN10_V5_3, 0,
                InitiateContact.interruptPageForSint(VmbusConstants.MESSAGE_SINT, 0), 0x3000, 0x4000);
        assertArrayEquals(INITIATE_CONTACT_5_3, request.toBytes());
        PostMessageInput post = new PostMessageInput(VmbusConstants.MESSAGE_CONNECTION_ID_4,
                new HvMessageType(VmbusConstants.HV_MESSAGE_TYPE), request.toBytes());
        assertArrayEquals(INITIATE_CONTACT_5_3, post.payload());

        // Host side: parses the payload it received.
        ChannelMessage received = ChannelMessage.parse(MemorySegment.ofArray(post.payload()), post.payload().length);
        InitiateContact contact = (InitiateContact) received;
        assertEquals(request, contact);
        assertEquals(VmbusVersion.WIN10_V5_3, contact.versionRequested());
        assertTrue(contact.versionRequested().isAtLeast(VmbusVersion.WIN10_V5));
        assertEquals(2, contact.messageSint());
        assertEquals(0, contact.messageVtl());
        assertEquals(0x3000, contact.monitorPage1());
        assertEquals(0x4000, contact.monitorPage2());

        // Host answers: supported, connection id 1 for further messages.
        VersionResponse answer = VersionResponse.supported(VmbusConstants.MESSAGE_CONNECTION_ID);
        assertArrayEquals(VERSION_RESPONSE_OK, answer.toBytes());

        // Guest parses the answer out of its SINT2 slot.
        VersionResponse seen = (VersionResponse) ChannelMessage.parse(MemorySegment.ofArray(VERSION_RESPONSE_OK), 16);
        assertTrue(seen.versionSupported());
        assertEquals(VmbusConstants.CONNECTION_STATE_SUCCESS, seen.connectionState());
        assertEquals(1, seen.messageConnectionId());
    }

    @Test
    void anUnsupportedVersionGetsVersionSupportedZero() {
        byte[] refused = HexFormat.of().parseHex("0f000000" + "00000000" + "00" + "00" + "0000" + "00000000");
        assertArrayEquals(refused, VersionResponse.unsupported().toBytes());
        assertEquals(VersionResponse.unsupported(), ChannelMessage.parse(MemorySegment.ofArray(refused), 16));
    }
}
