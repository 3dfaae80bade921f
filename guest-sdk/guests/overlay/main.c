/* overlay - GPA overlay pages as the TLFS defines them, checked from inside a guest.
 * The SIMP, SIEFP and HYPERCALL registers lay the hypervisor's own pages over
 * the guest's physical address space; the guest page beneath must stay
 * untouched and come back when the overlay moves away or is disabled.
 *
 *  1. SIMP over one of its data pages, then over another: each data page shows
 *     the SIM page while covered and its own pattern, intact, once uncovered;
 *     the SIM page keeps what was written into it across disable/enable.
 *  2. SIMP over the read-only boot page with its root SINT unmasked: it posts
 *     {"overlay: reply"} to the root, and the root's reply lands in the SIM
 *     page laid over the boot page; after the SIMP moves away the boot page is
 *     byte for byte what it was.
 *  3. SIEFP over a data page, then away: the data page is intact.
 *  4. HYPERCALL over a data page and over the read-only boot page (calls go
 *     through the moved page meanwhile): the page shows the hypercall code while
 *     covered and its own bytes afterwards; the page at 0x1000 beneath the boot
 *     protocol's hypercall page is reached while the overlay is elsewhere.
 *  5. Refusals (HV_STATUS_INVALID_PARAMETER): an unmapped GPA, a GPA past the
 *     end of RAM, reserved bits, and a page another overlay already covers.
 *
 * Every check prints "overlay: <check>: ok" or "...: FAIL"; the last line is
 * "overlay: N checks, M failed" and main returns M (0 = all passed).
 * Used by OverlayGuestTest; a hostile-tenant test may reuse it. */
#include <parvis/parvis.h>

#define PAGE 4096u
#define REPLY_MESSAGE_TYPE 1u

static uint32_t checks;
static uint32_t failed;

static void check(const char *what, bool ok)
{
    checks++;
    if (!ok)
        failed++;
    dbg_printf("overlay: %s: %s\n", what, ok ? "ok" : "FAIL");
}

static void fill(volatile uint8_t *page, uint8_t seed)
{
    for (uint32_t i = 0; i < PAGE; i++)
        page[i] = (uint8_t)(seed ^ (i * 7u));
}

static bool intact(const volatile uint8_t *page, uint8_t seed)
{
    for (uint32_t i = 0; i < PAGE; i++)
        if (page[i] != (uint8_t)(seed ^ (i * 7u)))
            return false;
    return true;
}

static bool equal(const volatile uint8_t *a, const uint8_t *b)
{
    for (uint32_t i = 0; i < PAGE; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* SetVpRegisters (self, one register) with a bare VMCALL, so it works whatever
 * the hypercall page currently covers (on backends where VMCALL reaches the
 * hypervisor: unicorn; KVM answers it itself). */
static uint16_t raw_set_register(uint32_t name, uint64_t value)
{
    struct hv_input_vp_registers *hdr = hv_input_page();
    *hdr = (struct hv_input_vp_registers){.partition_id = HV_PARTITION_ID_SELF, .vp_index = HV_VP_INDEX_SELF};
    struct hv_register_assoc *assoc = (struct hv_register_assoc *)(hdr + 1);
    assoc->name = name;
    assoc->reserved1 = 0;
    assoc->reserved2 = 0;
    assoc->value.low = value;
    assoc->value.high = 0;
    uint64_t control = hv_control(HVCALL_SET_VP_REGISTERS, 1, 0);
    uint64_t in = (uintptr_t)hdr, result;
    register uint64_t r8 __asm__("r8") = 0;
    __asm__ volatile("vmcall" : "=a"(result), "+c"(control), "+d"(in), "+r"(r8) : : "memory", "cc");
    return hv_status(result);
}

/* Moves the hypercall page without calling through it: WRMSR of the HYPERCALL
 * MSR where CPUID 0x40000003 says the synthetic MSRs work (KVM), else a bare
 * VMCALL. Only for moves that are accepted: a refused WRMSR raises #GP. */
static uint16_t move_hypercall_page(uint64_t value)
{
    if (!(cpuid(0x40000003u, 0).eax & HV_PRIVILEGE_ACCESS_HYPERCALL_MSRS))
        return raw_set_register(HV_REGISTER_HYPERCALL, value);
    uint32_t lo, hi;
    __asm__ volatile("wrmsr" ::"c"(HV_X64_MSR_HYPERCALL), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(HV_X64_MSR_HYPERCALL) : "memory");
    return (((uint64_t)hi << 32) | lo) == value ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_PARAMETER;
}

/* HvCallNotifyLongSpinWait (fast, any partition may) through the hypercall page at `page`. */
static uint16_t call_through(uint64_t page)
{
    uint64_t control = HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT, in = 1, result;
    register uint64_t r8 __asm__("r8") = 0;
    __asm__ volatile("call *%[page]"
                     : "=a"(result), "+c"(control), "+d"(in), "+r"(r8)
                     : [page] "r"(page)
                     : "rsi", "rdi", "r9", "r10", "r11", "memory", "cc");
    return hv_status(result);
}

/* The first bytes of the hypercall page as the processor backend lays it (its
 * code is the backend's choice), read at its boot protocol address. */
static uint8_t hypercall_code[16];

static bool shows_hypercall_code(const volatile uint8_t *p)
{
    for (uint32_t i = 0; i < sizeof(hypercall_code); i++)
        if (p[i] != hypercall_code[i])
            return false;
    return true;
}

static void simp_over_data_pages(void)
{
    volatile uint8_t *a = page_alloc(), *b = page_alloc();
    fill(a, 0xa5);
    fill(b, 0x3c);
    check("SIMP over data page A accepted", hv_set_vp_register(HV_REGISTER_SIMP, (uintptr_t)a | HV_SYNIC_SIMP_ENABLE) == HV_STATUS_SUCCESS);
    check("A shows the SIM page, not its pattern", !intact(a, 0xa5));
    a[0x800] = 0x77; /* the SIM page is guest-writable, like RAM */
    check("SIMP moved to data page B", hv_set_vp_register(HV_REGISTER_SIMP, (uintptr_t)b | HV_SYNIC_SIMP_ENABLE) == HV_STATUS_SUCCESS);
    check("A intact after the SIMP moved away", intact(a, 0xa5));
    check("B shows the SIM page, with what was written into it", b[0x800] == 0x77 && !intact(b, 0x3c));
    check("SIMP disabled", hv_set_vp_register(HV_REGISTER_SIMP, 0) == HV_STATUS_SUCCESS);
    check("B intact after the SIMP was disabled", intact(b, 0x3c));
    hv_set_vp_register(HV_REGISTER_SIMP, (uintptr_t)a | HV_SYNIC_SIMP_ENABLE);
    check("the SIM page kept its contents while disabled", a[0x800] == 0x77);
    a[0x800] = 0;
    hv_set_vp_register(HV_REGISTER_SIMP, 0);
    check("A intact again", intact(a, 0xa5));
}

/* The attack of issue 8: SIMP over the read-only boot page, then a message from the root. */
static void simp_over_boot_page(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    static uint8_t saved[PAGE];
    memcpy(saved, (const void *)boot, PAGE);
    /* Read before the SIM page hides the boot information. */
    uint32_t sint = boot->root_message_sint;
    uint32_t connection = boot->root_message_connection_id;
    uint64_t boot_gpa = (uintptr_t)boot;
    check("SIMP over the read-only boot page accepted",
          hv_set_vp_register(HV_REGISTER_SIMP, boot_gpa | HV_SYNIC_SIMP_ENABLE) == HV_STATUS_SUCCESS);
    hv_set_vp_register(HV_REGISTER_SINT0 + sint, PARVIS_SDK_SINT_VECTOR | HV_SYNIC_SINT_POLLING);
    hv_set_vp_register(HV_REGISTER_SCONTROL, HV_SYNIC_SCONTROL_ENABLE);
    volatile struct hv_message *slot = (volatile struct hv_message *)(uintptr_t)boot_gpa + sint;
    check("the boot page address shows the (empty) SIM page", slot->message_type == 0);
    static const char ask[] = "overlay: reply";
    hv_post_message(connection, REPLY_MESSAGE_TYPE, ask, sizeof(ask));
    while (slot->message_type == 0)
        hv_halt();
    check("the root's reply landed in the SIM page over the boot page",
          slot->message_type == REPLY_MESSAGE_TYPE && slot->payload_size > 0);
    slot->message_type = 0;
    hv_set_vp_register(HV_REGISTER_SINT0 + sint, HV_SYNIC_SINT_MASKED);
    hv_set_vp_register(HV_REGISTER_SIMP, 0);
    check("the boot page is byte for byte what it was", equal((const volatile uint8_t *)boot, saved));
    check("the boot information is still valid", boot->magic == PARVIS_BOOT_INFO_MAGIC);
}

static void siefp_over_data_page(void)
{
    volatile uint8_t *c = page_alloc();
    fill(c, 0x5a);
    check("SIEFP over data page C accepted", hv_set_vp_register(HV_REGISTER_SIEFP, (uintptr_t)c | HV_SYNIC_SIEFP_ENABLE) == HV_STATUS_SUCCESS);
    check("C shows the SIEF page", !intact(c, 0x5a));
    hv_set_vp_register(HV_REGISTER_SIEFP, 0);
    check("C intact after the SIEFP was disabled", intact(c, 0x5a));
}

static void hypercall_page_moves(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint64_t home = boot->hypercall_page_gpa;
    volatile uint8_t *d = page_alloc();
    fill(d, 0xc3);
    static uint8_t saved[PAGE];
    memcpy(saved, (const void *)boot, PAGE);
    memcpy(hypercall_code, (const void *)(uintptr_t)home, sizeof(hypercall_code));

    /* No SDK call may run while the page is away from `home`: they call through it. */
    uint16_t moved = move_hypercall_page((uintptr_t)d | 1);
    bool code_at_d = shows_hypercall_code(d);
    uint16_t call_at_d = call_through((uintptr_t)d);
    bool home_uncovered = !shows_hypercall_code((const volatile uint8_t *)(uintptr_t)home);
    uint16_t over_boot = move_hypercall_page((uintptr_t)boot | 1);
    bool code_at_boot = shows_hypercall_code((const volatile uint8_t *)boot);
    bool d_back = intact(d, 0xc3);
    uint16_t back = move_hypercall_page(home | 1);

    check("HYPERCALL over data page D accepted", moved == HV_STATUS_SUCCESS);
    check("D shows the hypercall code", code_at_d);
    check("a hypercall through the moved page works", call_at_d == HV_STATUS_SUCCESS);
    check("the page beneath the boot hypercall page is uncovered", home_uncovered);
    check("HYPERCALL over the read-only boot page accepted", over_boot == HV_STATUS_SUCCESS);
    check("the boot page address shows the hypercall code", code_at_boot);
    check("D intact after the hypercall page moved away", d_back);
    check("HYPERCALL back home", back == HV_STATUS_SUCCESS);
    check("the boot page intact after the hypercall page moved away", equal((const volatile uint8_t *)boot, saved));
}

static void refusals(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    volatile uint8_t *e = page_alloc();
    check("SIMP at the never-mapped GPA 0 refused",
          hv_set_vp_register(HV_REGISTER_SIMP, HV_SYNIC_SIMP_ENABLE) == HV_STATUS_INVALID_PARAMETER);
    check("SIMP past the end of RAM refused",
          hv_set_vp_register(HV_REGISTER_SIMP, boot->ram_size | HV_SYNIC_SIMP_ENABLE) == HV_STATUS_INVALID_PARAMETER);
    check("SIMP with reserved bits refused",
          hv_set_vp_register(HV_REGISTER_SIMP, (uintptr_t)e | 0x2 | HV_SYNIC_SIMP_ENABLE) == HV_STATUS_INVALID_PARAMETER);
    check("SIMP over the hypercall page refused",
          hv_set_vp_register(HV_REGISTER_SIMP, boot->hypercall_page_gpa | HV_SYNIC_SIMP_ENABLE) == HV_STATUS_INVALID_PARAMETER);
    hv_set_vp_register(HV_REGISTER_SIMP, (uintptr_t)e | HV_SYNIC_SIMP_ENABLE);
    check("SIEFP over the SIM page refused",
          hv_set_vp_register(HV_REGISTER_SIEFP, (uintptr_t)e | HV_SYNIC_SIEFP_ENABLE) == HV_STATUS_INVALID_PARAMETER);
    check("HYPERCALL over the SIM page refused",
          hv_set_vp_register(HV_REGISTER_HYPERCALL, (uintptr_t)e | 1) == HV_STATUS_INVALID_PARAMETER);
    hv_set_vp_register(HV_REGISTER_SIMP, 0);
}

int main(void)
{
    simp_over_data_pages();
    simp_over_boot_page();
    siefp_over_data_page();
    hypercall_page_moves();
    refusals();
    dbg_printf("overlay: %u checks, %u failed\n", checks, failed);
    return (int)failed;
}
