/*
 * parvis/cpu.h - thin wrappers around the x86-64 instructions a Parvis guest
 * uses directly: cpuid, hlt, pause, port I/O, rdtsc and compiler/CPU barriers.
 * Everything here is static inline and touches no memory of its own.
 */
#ifndef PARVIS_SDK_CPU_H
#define PARVIS_SDK_CPU_H

#include <stdint.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

/* Under Parvis (polling-mode SynIC, IF = 0) hlt returns when SynIC work is
 * pending for this VP, or spuriously: callers always re-check their condition.
 * hlt, and the port I/O below, are privileged: where the processor backend runs
 * the guest deprivileged they fault and are carried out by the backend, at the
 * cost of a fault. hv_halt() and hv_port_out*() (parvis/hv.h) go through the
 * hypercall page instead and cost the same everywhere. */
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Compiler-only barrier and full CPU barrier. */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void cpu_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#endif
