/*
 * parvis/hv.h - Hyper-V hypercall interface as a Parvis guest sees it:
 * raw calls through the hypercall page, control/result helpers, rep-call
 * continuation, synthetic registers (Get/SetVpRegisters on partition self,
 * VP self), hypervisor identification and messages/events to connections.
 *
 * Every function returning uint16_t returns an HV_STATUS_* value.
 * Slow calls use this VP's input page (hv_input_page()) and output page
 * (hv_output_page()); their GPAs are 4 KiB aligned, so every input and output
 * is 8-byte aligned and inside one page.
 */
#ifndef PARVIS_SDK_HV_H
#define PARVIS_SDK_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <parvis/hvabi.h>

/* ---- raw hypercalls -------------------------------------------------- */

/* Slow call: RCX = control, RDX = input GPA, R8 = output GPA; returns RAX. */
uint64_t hv_hypercall(uint64_t control, uint64_t in_gpa, uint64_t out_gpa);
/* Fast call: the FAST bit is added; RDX and R8 carry the input qwords. */
uint64_t hv_hypercall_fast(uint64_t control, uint64_t rdx, uint64_t r8);

/* Control value: call code, rep count (bits 32-43) and rep start (48-59). */
static inline uint64_t hv_control(uint16_t code, uint16_t rep_count, uint16_t rep_start)
{
    return (uint64_t)code | ((uint64_t)(rep_count & 0xfffu) << HV_HYPERCALL_REP_COUNT_OFFSET) |
           ((uint64_t)(rep_start & 0xfffu) << HV_HYPERCALL_REP_START_OFFSET);
}

static inline uint16_t hv_status(uint64_t result)
{
    return (uint16_t)(result & (uint64_t)HV_HYPERCALL_RESULT_MASK);
}

/* HV_HYPERCALL_REP_COMP_MASK may be spelled in place (GENMASK(43,32), as Linux
 * does) or already shifted down (0xfff); this accepts either spelling. */
#define PARVIS_SDK_REP_COMP_FIELD_MASK                                            \
    (((uint64_t)HV_HYPERCALL_REP_COMP_MASK >> HV_HYPERCALL_REP_COMP_OFFSET) != 0  \
         ? ((uint64_t)HV_HYPERCALL_REP_COMP_MASK >> HV_HYPERCALL_REP_COMP_OFFSET) \
         : (uint64_t)HV_HYPERCALL_REP_COMP_MASK)

static inline uint16_t hv_reps_completed(uint64_t result)
{
    return (uint16_t)((result >> HV_HYPERCALL_REP_COMP_OFFSET) & PARVIS_SDK_REP_COMP_FIELD_MASK);
}

/* Slow rep call with continuation: re-issues with rep start = reps completed
 * while the status is success and reps remain. Returns the last result. */
uint64_t hv_hypercall_rep(uint16_t code, uint16_t rep_count, uint64_t in_gpa, uint64_t out_gpa);

/* This VP's hypercall input and output pages (4 KiB, allocated at init). */
void *hv_input_page(void);
void *hv_output_page(void);

/* ---- privileged acts through the hypercall page ---------------------------- */

/* Halts until SynIC work is pending for this VP (or spuriously: callers re-check
 * their condition), through the page's PARVIS_HYPERCALL_PAGE_HALT entry. Unlike a
 * raw hlt it needs no privilege, so it costs the same on every processor backend. */
void hv_halt(void);

/* Writes AL/AX/EAX to an I/O port through the page's OUTB/OUTW/OUTL entries. */
void hv_port_outb(uint16_t port, uint8_t value);
void hv_port_outw(uint16_t port, uint16_t value);
void hv_port_outl(uint16_t port, uint32_t value);

/* ---- synthetic registers ------------------------------------------------ */

uint16_t hv_get_vp_register(uint32_t name, uint64_t *value);
uint16_t hv_set_vp_register(uint32_t name, uint64_t value);

/* ---- identity ----------------------------------------------------------- */

/*
 * Guest OS id Parvis guests report (open-source form, TLFS "GUEST_OS_ID"):
 * bit 63 = 1 (open source), bits 56-62 OS type = 0x50 ('P', Parvis guest SDK;
 * Linux uses 1, FreeBSD 2, Xen 3, illumos 4), bits 48-55 OS id = 0x01,
 * bits 16-47 version = 0x000100 (SDK 0.1.0), bits 0-15 build = 0.
 */
#define PARVIS_SDK_GUEST_OS_TYPE 0x50ull
#define PARVIS_SDK_GUEST_OS_ID                                                    \
    ((1ull << 63) | (PARVIS_SDK_GUEST_OS_TYPE << 56) | (0x01ull << 48) | (0x000100ull << 16))

struct hv_identity {
    bool hypervisor_present;  /* CPUID.1:ECX bit 31 */
    uint32_t max_leaf;        /* CPUID 0x40000000 EAX */
    char vendor[13];          /* CPUID 0x40000000 EBX:ECX:EDX, NUL-terminated */
    char interface[5];        /* CPUID 0x40000001 EAX, NUL-terminated */
    bool is_hyperv;           /* vendor "Microsoft Hv" and interface "Hv#1" */
    uint16_t guest_os_id_status; /* status of setting HV_REGISTER_GUEST_OS_ID */
};

/* Reads the hypervisor CPUID leaves; when the interface is "Hv#1" also sets
 * HV_REGISTER_GUEST_OS_ID = PARVIS_SDK_GUEST_OS_ID. Returns id->is_hyperv. */
bool hv_identify(struct hv_identity *id);

/* ---- messages and events ------------------------------------------------ */

/* HvCallPostMessage (slow). len <= HV_MESSAGE_MAX_PAYLOAD, else INVALID_PARAMETER
 * without a call. Retries HV_STATUS_INSUFFICIENT_BUFFERS up to 100 times, backing
 * off with pause and HvCallNotifyLongSpinWait. */
uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type, const void *payload,
                         size_t len);

/* HvCallSignalEvent (fast): RDX = connection_id | flag << 32. */
uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag);

/* HvCallNotifyLongSpinWait (fast): RDX = spin count. */
uint16_t hv_notify_long_spin_wait(uint64_t spin_count);


#endif
