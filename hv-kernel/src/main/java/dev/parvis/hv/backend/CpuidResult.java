package dev.parvis.hv.backend;

/** The four registers CPUID returns. */
public record CpuidResult(int eax, int ebx, int ecx, int edx) {}
