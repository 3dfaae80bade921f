/**
 * Benchmarks run by {@code ./parvis bench [NAME]}: each compares a Parvis path against bare libunicorn
 * on the same JVM and prints one line per comparison ending in {@code ratio=<ours/baseline>}
 * (ARCHITECTURE.md, performance targets; TLFS 11.6 HvCallSignalEvent for the hypercall path).
 */
package dev.parvis.bench;
