/* registers.c - synthetic registers through HvCallGetVpRegisters and
 * HvCallSetVpRegisters (rep count 1, partition self, VP self, VTL 0).
 * rdmsr/wrmsr do nothing under unicorn, so this is the only way. */
#include <parvis/hv.h>

/* The one place that knows how the generated header spells the value member
 * of HV_REGISTER_ASSOC (a nested struct hv_register_value named `value`). */
static inline void assoc_set_value(struct hv_register_assoc *assoc, uint64_t low, uint64_t high)
{
    assoc->value.low = low;
    assoc->value.high = high;
}

static void *vp_registers_header(void)
{
    struct hv_input_vp_registers *hdr = hv_input_page();
    *hdr = (struct hv_input_vp_registers){
        .partition_id = HV_PARTITION_ID_SELF,
        .vp_index = HV_VP_INDEX_SELF,
        .input_vtl = 0,
    };
    return hdr + 1; /* rep elements start at byte 16 */
}

uint16_t hv_get_vp_register(uint32_t name, uint64_t *value)
{
    uint32_t *element = vp_registers_header();
    *element = name;
    const struct hv_register_value *out = hv_output_page();
    uint16_t status = hv_status(hv_hypercall_rep(HVCALL_GET_VP_REGISTERS, 1,
                                                 (uintptr_t)hv_input_page(), (uintptr_t)out));
    if (status == HV_STATUS_SUCCESS)
        *value = out->low;
    return status;
}

uint16_t hv_set_vp_register(uint32_t name, uint64_t value)
{
    struct hv_register_assoc *assoc = vp_registers_header();
    assoc->name = name;
    assoc->reserved1 = 0;
    assoc->reserved2 = 0;
    assoc_set_value(assoc, value, 0);
    return hv_status(hv_hypercall_rep(HVCALL_SET_VP_REGISTERS, 1, (uintptr_t)hv_input_page(), 0));
}
