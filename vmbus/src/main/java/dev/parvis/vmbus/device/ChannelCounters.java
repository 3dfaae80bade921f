package dev.parvis.vmbus.device;

/** A snapshot of one channel's traffic; bytes count packet payloads (8-byte padding included on receive). */
public record ChannelCounters(long packetsIn, long bytesIn, long packetsOut, long bytesOut) {
}
