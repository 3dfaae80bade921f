/* rootcmd.c - commands from the root on boot->root_message_sint. */
#include <parvis/boot.h>
#include <parvis/hv.h>
#include <parvis/mem.h>
#include <parvis/rootcmd.h>
#include <parvis/synic.h>

#define REPLY_MESSAGE_TYPE 1u

bool root_commands_enable(void)
{
    uint32_t sint = parvis_boot()->root_message_sint;
    return sint != VMBUS_MESSAGE_SINT && synic_enable(sint) == HV_STATUS_SUCCESS;
}

static uint32_t first_word(const struct hv_message *m)
{
    uint32_t command = 0;
    if (m->payload_size >= sizeof(command))
        memcpy(&command, m->payload, sizeof(command));
    return command;
}

bool root_command_poll(uint32_t *command)
{
    struct hv_message m;
    if (!synic_poll_message(parvis_boot()->root_message_sint, &m))
        return false;
    *command = first_word(&m);
    return true;
}

uint32_t root_command_wait(void)
{
    struct hv_message m;
    synic_wait_message(parvis_boot()->root_message_sint, &m);
    return first_word(&m);
}

uint16_t root_reply(const void *payload, size_t len)
{
    return hv_post_message(parvis_boot()->root_message_connection_id, REPLY_MESSAGE_TYPE, payload, len);
}
