/* identity.c - hypervisor identification through CPUID and the guest OS id. */
#include <parvis/cpu.h>
#include <parvis/hv.h>
#include <parvis/mem.h>

#define CPUID_FEATURES_LEAF 0x00000001u
#define CPUID_ECX_HYPERVISOR_PRESENT (1u << 31)
#define CPUID_HV_VENDOR_LEAF 0x40000000u    /* EAX max leaf, EBX:ECX:EDX vendor */
#define CPUID_HV_INTERFACE_LEAF 0x40000001u /* EAX interface signature */

bool hv_identify(struct hv_identity *id)
{
    memset(id, 0, sizeof(*id));
    id->hypervisor_present = (cpuid(CPUID_FEATURES_LEAF, 0).ecx & CPUID_ECX_HYPERVISOR_PRESENT) != 0;

    struct cpuid_regs v = cpuid(CPUID_HV_VENDOR_LEAF, 0);
    id->max_leaf = v.eax;
    memcpy(id->vendor + 0, &v.ebx, 4);
    memcpy(id->vendor + 4, &v.ecx, 4);
    memcpy(id->vendor + 8, &v.edx, 4);

    if (id->max_leaf >= CPUID_HV_INTERFACE_LEAF) {
        struct cpuid_regs i = cpuid(CPUID_HV_INTERFACE_LEAF, 0);
        memcpy(id->interface, &i.eax, 4);
    }
    id->is_hyperv = id->hypervisor_present && memcmp(id->vendor, "Microsoft Hv", 12) == 0 &&
                    memcmp(id->interface, "Hv#1", 4) == 0;
    id->guest_os_id_status = HV_STATUS_ACCESS_DENIED;
    if (id->is_hyperv)
        id->guest_os_id_status = hv_set_vp_register(HV_REGISTER_GUEST_OS_ID, PARVIS_SDK_GUEST_OS_ID);
    return id->is_hyperv;
}
