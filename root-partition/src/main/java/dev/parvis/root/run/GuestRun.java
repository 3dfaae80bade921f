package dev.parvis.root.run;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.IoPortInterceptMessage;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.root.loader.ChildChannels;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootSynic;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One child from boot to power-off: loads it with VMBus wired (offering the echo device), prints its
 * debug output, answers each message it posts to the root with an acknowledgement, and ends when
 * the guest writes the power-off port, a fatal intercept arrives, or the time runs out.
 */
public final class GuestRun {
    /** How a run ended. */
    public sealed interface Outcome {
        record PoweredOff(int messagesReceived) implements Outcome {}

        record Failed(String reason) implements Outcome {}

        record TimedOut(Duration after) implements Outcome {}
    }

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final GuestConsole console;
    private final PrintStream out;

    public GuestRun(HypervisorServices hv, GuestConsole console, PrintStream out) {
        this.hv = hv;
        this.hc = new RootHypercalls(hv.gateway());
        this.console = console;
        this.out = out;
    }

    public Outcome run(GuestSpec spec, Duration timeout) throws InterruptedException {
        ChildLoader loader = new ChildLoader(hc, hv.rootMemory());
        EchoDevice echo = new EchoDevice();
        try (VmbusHost vmbus = new VmbusHost(hv)) {
            LoadedChild child = loader.load(spec, id -> vmbus.attach(id, 1, List.of(echo)));
            console.name(child.partitionId(), spec.name());
            try {
                return converse(child, Instant.now().plus(timeout), timeout);
            } finally {
                vmbus.detach(child.partitionId());
                loader.destroy(child);
                EchoDevice.Counters c = echo.counters();
                if (c.packetsIn() > 0) {
                    out.printf("root: VMBus echo device: %d packets / %d bytes in, %d packets / %d bytes out%n",
                            c.packetsIn(), c.bytesIn(), c.packetsOut(), c.bytesOut());
                }
            }
        }
    }

    private Outcome converse(LoadedChild child, Instant deadline, Duration timeout) throws InterruptedException {
        RootSynic synic = hv.rootSynic();
        int received = 0;
        while (Instant.now().isBefore(deadline)) {
            Optional<HvMessage> intercept = synic.take(RootSynic.INTERCEPT_SINT, Duration.ofMillis(5));
            if (intercept.isPresent() && intercept.get().sender() == child.partitionId()) {
                Outcome end = onIntercept(intercept.get(), received);
                if (end != null) {
                    return end;
                }
            }
            Optional<HvMessage> message = synic.poll(ChildChannels.ROOT_MESSAGE_SINT);
            if (message.isPresent() && message.get().sender() == child.channels().rootMessagePortId()) {
                received++;
                reply(child, message.get());
            }
        }
        return new Outcome.TimedOut(timeout);
    }

    private Outcome onIntercept(HvMessage m, int received) {
        MemorySegment payload = MemorySegment.ofArray(m.payload());
        if (m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)) {
            IoPortInterceptMessage io = IoPortInterceptMessage.read(payload);
            if ((io.portNumber() & 0xFFFF) == BootProtocol.POWER_OFF_PORT && (io.rax() & 0xFFFF) == BootProtocol.POWER_OFF_VALUE) {
                return new Outcome.PoweredOff(received);
            }
            return new Outcome.Failed("unexpected write of 0x%x to port 0x%x".formatted(io.rax(), io.portNumber() & 0xFFFF));
        }
        if (m.type().equals(HvMessageType.UNMAPPED_GPA) || m.type().equals(HvMessageType.GPA_INTERCEPT)) {
            MemoryInterceptMessage mem = MemoryInterceptMessage.read(payload);
            return new Outcome.Failed("%s at GPA 0x%x, rip 0x%x".formatted(m.type(), mem.guestPhysicalAddress(), mem.header().rip()));
        }
        if (m.type().equals(HvMessageType.PARVIS_PARTITION_FAILED)) {
            return new Outcome.Failed(PartitionFailedMessage.read(payload).reason());
        }
        return new Outcome.Failed("intercept " + m.type());
    }

    private void reply(LoadedChild child, HvMessage m) {
        String text = printable(m.payload());
        out.printf("root: received message type %d from partition %d (%d bytes): \"%s\"%n",
                m.type().raw(), child.partitionId(), m.payload().length, text);
        byte[] answer = "hello from root".getBytes(StandardCharsets.US_ASCII);
        HvStatus status = hc.postMessage(child.channels().rootToChildConnection(), new HvMessageType(1), answer);
        out.printf("root: replied \"hello from root\" to partition %d: %s%n", child.partitionId(), status);
    }

    /** The payload as text when it is text, else its first bytes in hex. */
    private static String printable(byte[] payload) {
        int end = 0;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        boolean text = end > 0;
        for (int i = 0; i < end; i++) {
            text &= payload[i] >= 32 && payload[i] < 127;
        }
        if (text) {
            return new String(payload, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
        }
        return "hex " + java.util.HexFormat.ofDelimiter(" ").formatHex(payload, 0, Math.min(payload.length, 48));
    }
}
