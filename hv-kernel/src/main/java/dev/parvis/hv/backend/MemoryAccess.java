package dev.parvis.hv.backend;

/** The kind of guest memory access that faulted; the order matches HV_INTERCEPT_ACCESS_TYPE (0, 1, 2). */
public enum MemoryAccess {
    READ, WRITE, EXECUTE
}
