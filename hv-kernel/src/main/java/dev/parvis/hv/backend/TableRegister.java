package dev.parvis.hv.backend;

/** GDTR or IDTR. */
public record TableRegister(long base, int limit) {}
