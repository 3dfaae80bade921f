package dev.parvis.devices.storvsp;

/**
 * Where one open storvsc channel's initialization stood when its VM was saved, so that the
 * restored channel goes on from there instead of refusing the guest's requests as if it had never
 * initialized: {@code phase} 0 awaiting BEGIN, 1 negotiating, 2 ready; {@code version} the accepted
 * protocol version ({@code major << 8 | minor}), 0 for none.
 */
public record SavedChannel(int relid, int phase, int version) {
    public static final int AWAITING_BEGIN = 0;
    public static final int NEGOTIATING = 1;
    public static final int READY = 2;

    /** @throws IllegalArgumentException naming the field that is wrong (the caller names the channel) */
    public SavedChannel {
        if (phase < AWAITING_BEGIN || phase > READY) {
            throw new IllegalArgumentException("initialization phase %d is not 0-2".formatted(phase));
        }
        if (version < 0 || version > 0xFFFF || (phase == READY && version == 0)) {
            throw new IllegalArgumentException("protocol version 0x%x in phase %d".formatted(version, phase));
        }
    }
}
