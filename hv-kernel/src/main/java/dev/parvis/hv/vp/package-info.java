/**
 * Virtual processors: their state, the per-partition run thread that takes them in turn, preemption
 * through sticky kicks, and the handling of backend exits (ARCHITECTURE.md section 5).
 */
package dev.parvis.hv.vp;
