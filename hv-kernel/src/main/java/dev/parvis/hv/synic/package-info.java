/**
 * The synthetic interrupt controller: per-VP message slots (SIMP) and event flags (SIEF), the
 * root's inbox, and the ports and connections that route HvCallPostMessage and HvCallSignalEvent
 * between partitions (TLFS "Inter-Partition Communication"; reference section 5).
 */
package dev.parvis.hv.synic;
