package dev.parvis.devices.ic;

import dev.parvis.abi.ic.HeartbeatMessage;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeat IC (reference section 9.4): a request every second; the guest must answer
 * {@code sequence + 1}. {@link IcStatus#NO_CONTACT} before the first correct answer,
 * {@link IcStatus#OK} after it, {@link IcStatus#LOST_COMMUNICATION} after 3 missed, late or wrong answers.
 */
public final class HeartbeatService extends IcService {
    public static final Guid INSTANCE = Guid.parse("57164f39-9115-4e78-ab55-50415256495e");
    public static final Duration PERIOD = Duration.ofSeconds(1);
    public static final int MISSES_FOR_LOST = 3;

    private final Duration period;
    private volatile boolean contact;
    private volatile int misses;
    private volatile long answered;
    private long sequence;
    private ScheduledFuture<?> task;

    public HeartbeatService() {
        this(PERIOD);
    }

    public HeartbeatService(Duration period) {
        super("heartbeat", DeviceClass.HEARTBEAT, INSTANCE, IcMessageType.HEARTBEAT, IcVersions.of(IcVersions.HEARTBEAT));
        this.period = period;
    }

    /** Correct answers since the channel opened. */
    public long answeredCount() {
        return answered;
    }

    @Override
    protected IcStatus contactStatus() {
        if (!contact) {
            return IcStatus.NO_CONTACT;
        }
        return misses >= MISSES_FOR_LOST ? IcStatus.LOST_COMMUNICATION : IcStatus.OK;
    }

    @Override
    protected void onNegotiated(IcChannel channel, IcVersions.Negotiated versions) {
        cancelTask();
        contact = false;
        misses = 0;
        answered = 0;
        task = executor.scheduleAtFixedRate(() -> beat(channel), 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat(IcChannel channel) {
        if (channel.isClosed()) {
            cancelTask();
            return;
        }
        long seq = sequence++;
        try {
            IcResponse r = channel.transact(HeartbeatMessage.SIZE, b -> new HeartbeatMessage(seq, 0).write(b),
                    period.multipliedBy(9).dividedBy(10));
            if (r.body().length < 8) {
                degrade("heartbeat answer of " + r.body().length + " bytes");
                miss();
                return;
            }
            HeartbeatMessage m = HeartbeatMessage.read(padded(r.body(), HeartbeatMessage.SIZE));
            if (r.result().succeeded() && m.sequenceNumber() == seq + 1) {
                contact = true;
                misses = 0;
                answered++;
            } else {
                miss();
            }
        } catch (IcException e) {
            miss();
        }
    }

    private void miss() {
        misses++;
    }

    private synchronized void cancelTask() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    protected void onChannelClosed() {
        cancelTask();
        contact = false;
    }
}
