package dev.parvis.abi.vmbus;

/**
 * A channel message from a guest that cannot be parsed: too short or too long, an unknown type,
 * or a GPADL range description that does not fit its message. Unchecked so that callers may
 * catch it where they answer the guest; {@link ChannelMessage#parse} throws nothing else.
 */
public final class MalformedChannelMessageException extends RuntimeException {
    private final transient ChannelMessageType messageType;
    private final int length;
    private final String reason;

    public MalformedChannelMessageException(ChannelMessageType messageType, int length, String reason) {
        super((messageType == null ? "channel message" : messageType.toString()) + " of " + length + " bytes: " + reason);
        this.messageType = messageType;
        this.length = length;
        this.reason = reason;
    }

    /** The message type, or null when the message was too short to carry one. */
    public ChannelMessageType messageType() {
        return messageType;
    }

    public int length() {
        return length;
    }

    public String reason() {
        return reason;
    }
}
