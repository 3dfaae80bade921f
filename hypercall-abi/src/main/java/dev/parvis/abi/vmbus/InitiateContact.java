package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * INITIATE_CONTACT (14), guest to host, 40 bytes with the header (reference section 6.4). Below
 * protocol 5.0 {@code interruptPage} is the interrupt page GPA; from 5.0 it is reinterpreted as
 * {msg_sint u8, msg_vtl u8, reserved u16, feature_flags u32 (6.0+)}, see {@link #messageSint()}.
 * The 56-byte client-id form (6.0) parses as this one.
 */
public record InitiateContact(ChannelMessageHeader header, VmbusVersion versionRequested, int targetVcpu,
                              long interruptPage, long monitorPage1, long monitorPage2) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.INITIATE_CONTACT;
    public static final int SIZE = 40;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("vmbus_version_requested"),
            U32.withName("target_vcpu"),
            U64.withName("interrupt_page"),
            U64.withName("monitor_page1"),
            U64.withName("monitor_page2"));

    private static final long VMBUS_VERSION_REQUESTED = offset(LAYOUT, "vmbus_version_requested");
    private static final long TARGET_VCPU = offset(LAYOUT, "target_vcpu");
    private static final long INTERRUPT_PAGE = offset(LAYOUT, "interrupt_page");
    private static final long MONITOR_PAGE1 = offset(LAYOUT, "monitor_page1");
    private static final long MONITOR_PAGE2 = offset(LAYOUT, "monitor_page2");

    public InitiateContact {
        ChannelMessageHeader.require(header, TYPE);
        Objects.requireNonNull(versionRequested, "versionRequested");
    }

    public InitiateContact(VmbusVersion versionRequested, int targetVcpu, long interruptPage, long monitorPage1,
                           long monitorPage2) {
        this(new ChannelMessageHeader(TYPE), versionRequested, targetVcpu, interruptPage, monitorPage1, monitorPage2);
    }

    /** The interrupt_page word of the 5.0+ form: msg_sint in byte 0, msg_vtl in byte 1. */
    public static long interruptPageForSint(int messageSint, int messageVtl) {
        return (messageSint & 0xFFL) | (messageVtl & 0xFFL) << 8;
    }

    /** Protocol 5.0+: the SINT the guest wants control messages on (low byte of interrupt_page). */
    public byte messageSint() {
        return (byte) interruptPage;
    }

    /** Protocol 5.0+: the VTL of the message SINT (byte 1 of interrupt_page; honoured from 5.1). */
    public byte messageVtl() {
        return (byte) (interruptPage >>> 8);
    }

    /** Protocol 6.0+: the feature flags the guest asks for (high word of interrupt_page). */
    public int featureFlags() {
        return (int) (interruptPage >>> 32);
    }

    public static InitiateContact read(MemorySegment s) {
        return new InitiateContact(ChannelMessageHeader.read(s), new VmbusVersion(u32(s, VMBUS_VERSION_REQUESTED)),
                u32(s, TARGET_VCPU), u64(s, INTERRUPT_PAGE), u64(s, MONITOR_PAGE1), u64(s, MONITOR_PAGE2));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, VMBUS_VERSION_REQUESTED, versionRequested.raw());
        u32(s, TARGET_VCPU, targetVcpu);
        u64(s, INTERRUPT_PAGE, interruptPage);
        u64(s, MONITOR_PAGE1, monitorPage1);
        u64(s, MONITOR_PAGE2, monitorPage2);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
