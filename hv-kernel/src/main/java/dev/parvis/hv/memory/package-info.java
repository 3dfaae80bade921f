/**
 * System-physical memory: one page pool mapped from the OS through java.lang.foreign, page
 * ownership and accounting, and per-partition GPA maps (ARCHITECTURE.md section 4).
 */
package dev.parvis.hv.memory;
