package dev.parvis.devices.vhdx;

/**
 * The three kinds of VHDX disk ([MS-VHDX] 1.3): they share one layout and differ in File Parameters
 * flags, BAT states and the Parent Locator.
 */
public enum DiskType {
    /** Every block allocated at creation (LeaveBlockAllocated). */
    FIXED,
    /** Blocks allocated on first write; unwritten blocks read as zeros. */
    DYNAMIC,
    /** Blocks allocated on first write; unwritten sectors read from the parent (HasParent). */
    DIFFERENCING
}
