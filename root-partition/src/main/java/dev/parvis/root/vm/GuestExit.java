package dev.parvis.root.vm;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.abi.hv.message.UnrecoverableExceptionMessage;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

/** What an intercept message about a child means for it: decoded by a pure function. */
public sealed interface GuestExit {
    /** The guest wrote the power-off value to the power-off port, on VP {@code vpIndex}. */
    record PowerOff(int vpIndex) implements GuestExit {
        /**
         * The exit status the guest reported with its power-off (README "Boot protocol": RSI =
         * {@link BootProtocol#EXIT_STATUS_MAGIC}, status = the low 32 bits of RDI), read from the VP,
         * which stays suspended on the intercept; empty when the guest reported none.
         */
        public OptionalInt status(RootHypercalls hc, long partitionId) {
            long[] registers = hc.getVpRegisters(partitionId, vpIndex, HvRegisterName.RSI, HvRegisterName.RDI);
            return registers[0] == BootProtocol.EXIT_STATUS_MAGIC ? OptionalInt.of((int) registers[1]) : OptionalInt.empty();
        }

        /** ", status 3" when the guest reported an exit status with its power-off, else "" (for the log). */
        public String describeStatus(RootHypercalls hc, long partitionId) {
            try {
                OptionalInt status = status(hc, partitionId);
                return status.isPresent() ? ", status " + status.getAsInt() : "";
            } catch (RuntimeException e) {
                return " (its status could not be read: " + e.getMessage() + ")";
            }
        }
    }

    /** The guest cannot go on (unrecoverable exception, unresolved memory access, unknown port). */
    record Fatal(String reason) implements GuestExit {}


    static GuestExit decode(HvMessage m) {
        MemorySegment payload = MemorySegment.ofArray(m.payload());
        if (m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)) {
            IoPortInterceptMessage io = IoPortInterceptMessage.read(payload);
            if ((io.portNumber() & 0xFFFF) == BootProtocol.POWER_OFF_PORT && (io.rax() & 0xFFFF) == BootProtocol.POWER_OFF_VALUE) {
                return new PowerOff(io.header().vpIndex());
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
            int vector = UnrecoverableExceptionMessage.read(payload).vector();
            return new Fatal("unrecoverable exception (vector %d)".formatted(vector));
        }
        return new Fatal("unhandled intercept " + m.type());
    }
}
