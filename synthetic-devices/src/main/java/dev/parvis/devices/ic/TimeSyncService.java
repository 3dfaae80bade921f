package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.TimesyncLegacyMessage;
import dev.parvis.abi.ic.TimesyncMessage;
import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Time sync IC (reference section 9.6): a SYNC sample when the channel opens, then a SAMPLE every
 * second. {@code parentTime} is host time in 100 ns since 1601; {@code vmReferenceTime} the
 * partition's reference counter at that moment, read through the injected supplier (the root
 * reads it with GetVpRegisters TIME_REF_COUNT). Version 4.0 uses {@link TimesyncMessage}, older
 * versions {@link TimesyncLegacyMessage}.
 */
public final class TimeSyncService extends IcService {
    /** OpenVMM's time sync IC instance id. */
    public static final Guid INSTANCE = Guid.parse("2dd1ce17-079e-403c-b352-a1921ee207ee");
    public static final Duration PERIOD = Duration.ofSeconds(1);

    /** One sample the guest accepted. */
    public record Sample(long parentTime, long vmReferenceTime, byte flags, IcResult result) {
    }

    private final LongSupplier referenceTime;
    private final InstantSource clock;
    private final Duration period;
    private volatile Sample last;
    private volatile long samplesAnswered;
    private volatile int failures;
    private ScheduledFuture<?> task;

    public TimeSyncService(LongSupplier referenceTime) {
        this(referenceTime, InstantSource.system(), PERIOD);
    }

    public TimeSyncService(LongSupplier referenceTime, InstantSource clock, Duration period) {
        super("timesync", DeviceClass.TIME_SYNC, INSTANCE, IcMessageType.TIMESYNC, IcVersions.of(IcVersions.TIMESYNC));
        this.referenceTime = referenceTime;
        this.clock = clock;
        this.period = period;
    }

    /** 100 ns units since 1601-01-01 UTC. */
    public static long windowsTime(Instant t) {
        return t.getEpochSecond() * 10_000_000L + t.getNano() / 100 + IcConstants.WINDOWS_EPOCH_OFFSET;
    }

    /** The last sample the guest answered with S_OK, or null. */
    public Sample lastSample() {
        return last;
    }

    public long samplesAnswered() {
        return samplesAnswered;
    }

    @Override
    protected IcStatus contactStatus() {
        if (samplesAnswered == 0) {
            return IcStatus.NO_CONTACT;
        }
        return failures >= 3 ? IcStatus.LOST_COMMUNICATION : IcStatus.OK;
    }

    @Override
    protected void onNegotiated(IcChannel channel, IcVersions.Negotiated versions) {
        cancelTask();
        samplesAnswered = 0;
        failures = 0;
        boolean v4 = versions.message().major() >= 4;
        sample(channel, v4, IcConstants.TIMESYNC_SYNC);
        task = executor.scheduleAtFixedRate(() -> sample(channel, v4, IcConstants.TIMESYNC_SAMPLE),
                period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample(IcChannel channel, boolean v4, byte flags) {
        if (channel.isClosed()) {
            cancelTask();
            return;
        }
        long parent = windowsTime(clock.instant());
        long reference = referenceTime.getAsLong();
        try {
            IcResponse r = v4
                    ? channel.transact(TimesyncMessage.SIZE,
                            b -> new TimesyncMessage(parent, reference, flags, (byte) 0, (byte) 0).write(b), period)
                    : channel.transact(TimesyncLegacyMessage.SIZE,
                            b -> new TimesyncLegacyMessage(parent, 0, 0, flags).write(b), period);
            if (r.result().succeeded()) {
                last = new Sample(parent, reference, flags, r.result());
                samplesAnswered++;
                failures = 0;
            } else {
                failures++;
            }
        } catch (IcException e) {
            failures++;
        }
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
    }
}
