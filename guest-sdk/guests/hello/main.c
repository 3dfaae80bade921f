/* hello - the demo guest: identifies the hypervisor, sets and reads back its
 * guest OS id, enables the SynIC (polling) on the root's SINT, says hello to
 * the root and prints the root's reply. */
#include <parvis/parvis.h>

#define HELLO_MESSAGE_TYPE 1u

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    struct hv_identity id;
    hv_identify(&id);
    dbg_printf("hello: cpuid hypervisor-present=%d max-leaf=0x%x vendor=\"%s\" interface=\"%s\"\n",
               id.hypervisor_present, id.max_leaf, id.vendor, id.interface);
    if (!id.is_hyperv) {
        dbg_puts("hello: not a Hyper-V compatible hypervisor");
        return 1;
    }

    uint64_t os_id = 0;
    uint16_t status = hv_get_vp_register(HV_REGISTER_GUEST_OS_ID, &os_id);
    dbg_printf("hello: guest OS id set (status 0x%x) to 0x%016lx, read back 0x%016lx (status 0x%x)\n",
               id.guest_os_id_status, (uint64_t)PARVIS_SDK_GUEST_OS_ID, os_id, status);

    uint32_t sint = boot->root_message_sint;
    status = synic_enable(sint);
    dbg_printf("hello: SynIC enabled on SINT %u in polling mode (status 0x%x)\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 2;

    static const char greeting[] = "hello from guest";
    status = hv_post_message(boot->root_message_connection_id, HELLO_MESSAGE_TYPE, greeting,
                             sizeof(greeting) - 1);
    dbg_printf("hello: posted \"%s\" to connection %u (status 0x%x)\n", greeting,
               boot->root_message_connection_id, status);
    if (status != HV_STATUS_SUCCESS)
        return 3;

    struct hv_message reply;
    synic_wait_message(sint, &reply);
    char text[HV_MESSAGE_MAX_PAYLOAD + 1];
    memcpy(text, reply.payload, reply.payload_size);
    text[reply.payload_size] = '\0';
    dbg_printf("hello: root replied: %s\n", text);
    return 0;
}
