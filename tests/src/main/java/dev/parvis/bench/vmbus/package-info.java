/**
 * VMBus benchmarks: ring-buffer throughput and packet rate between a writer and a reader thread,
 * against plain MemorySegment copies of the same bytes (reference section 7).
 */
package dev.parvis.bench.vmbus;
