package dev.parvis.hv.synic;

/** A connection: the sending end, named by a connection id inside the sending partition. */
public record Connection(long partitionId, int connectionId, Port port) {}
