package dev.parvis.root.vm;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import java.lang.foreign.MemorySegment;

/** What an intercept message about a managed VM means for it: decoded by a pure function. */
sealed interface GuestExit {
    /** The guest wrote the power-off value to the power-off port. */
    record PowerOff() implements GuestExit {}

    /** The guest cannot go on (unrecoverable exception, unresolved memory access, unknown port). */
    record Fatal(String reason) implements GuestExit {}

    static GuestExit decode(HvMessage m) {
        MemorySegment payload = MemorySegment.ofArray(m.payload());
        if (m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)) {
            IoPortInterceptMessage io = IoPortInterceptMessage.read(payload);
            if ((io.portNumber() & 0xFFFF) == BootProtocol.POWER_OFF_PORT && (io.rax() & 0xFFFF) == BootProtocol.POWER_OFF_VALUE) {
                return new PowerOff();
            }
            return new Fatal("unexpected write of 0x%x to port 0x%x".formatted(io.rax(), io.portNumber() & 0xFFFF));
        }
        if (m.type().equals(HvMessageType.UNMAPPED_GPA) || m.type().equals(HvMessageType.GPA_INTERCEPT)) {
            MemoryInterceptMessage mem = MemoryInterceptMessage.read(payload);
            return new Fatal("%s at GPA 0x%x, rip 0x%x".formatted(m.type(), mem.guestPhysicalAddress(), mem.header().rip()));
        }
        if (m.type().equals(HvMessageType.PARVIS_PARTITION_FAILED)) {
            return new Fatal(PartitionFailedMessage.read(payload).reason());
        }
        if (m.type().equals(HvMessageType.UNRECOVERABLE_EXCEPTION)) {
            return new Fatal("unrecoverable exception (triple fault)");
        }
        return new Fatal("unhandled intercept " + m.type());
    }
}
