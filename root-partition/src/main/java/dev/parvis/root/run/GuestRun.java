package dev.parvis.root.run;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.root.loader.ChildChannels;
import dev.parvis.root.loader.ChildLoader;
import dev.parvis.root.loader.GuestSpec;
import dev.parvis.root.loader.LoadedChild;
import dev.parvis.root.vm.GuestExit;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.host.VmbusHost;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootSynic;
import dev.parvis.vmcore.log.LogBudget;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One child from boot to power-off: loads it with VMBus wired (offering the echo device and any
 * devices the caller adds, e.g. storage controllers), prints its
 * debug output, answers each message it posts to the root with an acknowledgement, and ends when
 * the guest writes the power-off port, a fatal intercept arrives, or the time runs out.
 */
public final class GuestRun {
    /** How a run ended. */
    public sealed interface Outcome {
        /** The guest powered off; {@code status} is the exit status it reported (README "Boot protocol"), if any. */
        record PoweredOff(int messagesReceived, OptionalInt status) implements Outcome {}

        record Failed(String reason) implements Outcome {}

        record TimedOut(Duration after) implements Outcome {}
    }

    private final HypervisorServices hv;
    private final RootHypercalls hc;
    private final GuestConsole console;
    private final PrintStream out;
    private final LogBudget messageLines = LogBudget.standard();

    public GuestRun(HypervisorServices hv, GuestConsole console, PrintStream out) {
        this.hv = hv;
        this.hc = new RootHypercalls(hv.gateway());
        this.console = console;
        this.out = out;
    }

    public Outcome run(GuestSpec spec, Duration timeout) throws InterruptedException {
        return run(spec, timeout, List.of());
    }

    /** Runs the guest with {@code devices} offered on VMBus after the echo device (e.g. storage controllers). */
    public Outcome run(GuestSpec spec, Duration timeout, List<? extends VmbusDeviceClass> devices) throws InterruptedException {
        ChildLoader loader = new ChildLoader(hc, hv.rootMemory());
        EchoDevice echo = new EchoDevice();
        List<VmbusDeviceClass> offered = new java.util.ArrayList<>();
        offered.add(echo);
        offered.addAll(devices);
        try (VmbusHost vmbus = new VmbusHost(hv)) {
            LoadedChild child = loader.load(spec, id -> vmbus.attach(id, 1, offered));
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
                return onIntercept(child, intercept.get(), received);
            }
            Optional<HvMessage> message = synic.poll(ChildChannels.ROOT_MESSAGE_SINT);
            if (message.isPresent() && message.get().sender() == child.channels().rootMessagePortId()) {
                received++;
                reply(child, message.get());
            }
        }
        return new Outcome.TimedOut(timeout);
    }

    private Outcome onIntercept(LoadedChild child, HvMessage m, int received) {
        return switch (GuestExit.decode(m)) {
            case GuestExit.PowerOff off -> new Outcome.PoweredOff(received, off.status(hc, child.partitionId()));
            case GuestExit.Fatal fatal -> new Outcome.Failed(fatal.reason());
        };
    }

    /** Answers every message; prints them within {@link #messageLines}, since the guest decides how many there are. */
    private void reply(LoadedChild child, HvMessage m) {
        byte[] answer = "hello from root".getBytes(StandardCharsets.US_ASCII);
        HvStatus status = hc.postMessage(child.channels().rootToChildConnection(), new HvMessageType(1), answer);
        long suppressed = messageLines.acquire();
        if (suppressed < 0) {
            return;
        }
        if (suppressed > 0) {
            out.printf("root: (%d messages from partition %d not shown)%n", suppressed, child.partitionId());
        }
        out.printf("root: received message type %d from partition %d (%d bytes): \"%s\"%n",
                m.type().raw(), child.partitionId(), m.payload().length, printable(m.payload()));
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
