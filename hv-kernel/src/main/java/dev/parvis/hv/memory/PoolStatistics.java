package dev.parvis.hv.memory;

/** Page counts of the pool, by state. */
public record PoolStatistics(long totalPages, long rootFree, long rootAllocated, long deposited, long guest) {}
