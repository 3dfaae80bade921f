/**
 * Processor backends: turn a virtual processor's register state plus its partition's GPA map into
 * execution, and report why execution stopped as a {@link dev.parvis.hv.backend.VpExit}
 * (ARCHITECTURE.md section 3).
 */
package dev.parvis.hv.backend;
