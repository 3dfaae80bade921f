package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import java.util.Arrays;

/**
 * One packet the fuzzing guest writes to its ring: {@code label} says what it started from and what
 * was done to it. The host receives the type header and the payload each padded to 8 bytes.
 */
record FuzzPacket(int caseIndex, String label, PacketType type, int flags, long transactionId, byte[] typeHeader,
                  byte[] payload) {

    static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /** The descriptor, header and payload as the ring carries them (the reader's receive buffer must hold it). */
    long ringBytes() {
        return align8(align8(16 + typeHeader.length) + payload.length);
    }

    byte[] paddedHeader() {
        return Arrays.copyOf(typeHeader, (int) align8(typeHeader.length));
    }

    byte[] paddedPayload() {
        return Arrays.copyOf(payload, (int) align8(payload.length));
    }

    @Override
    public String toString() {
        return "case %d: %s (%s, flags %d, tx %d, header %d bytes, payload %d bytes)".formatted(caseIndex, label, type,
                flags, transactionId, typeHeader.length, payload.length);
    }
}
