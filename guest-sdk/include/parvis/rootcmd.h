/*
 * parvis/rootcmd.h - commands from the root and replies to it, for guests a
 * test or a management client drives (boot->root_message_sint in, type-1
 * messages on boot->root_message_connection_id out).
 *
 * A command is the first u32 of the message payload; what it means is the
 * guest's business (the hostile VMBus guests stop on any command).
 */
#ifndef PARVIS_SDK_ROOTCMD_H
#define PARVIS_SDK_ROOTCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enables polling on the root's command SINT; refuses (returns false) when it
 * is the VMBus SINT, whose messages belong to the VMBus client. */
bool root_commands_enable(void);
/* Takes a pending command without waiting; false when there is none. */
bool root_command_poll(uint32_t *command);
/* Waits (hlt) for the next command. */
uint32_t root_command_wait(void);
/* Posts `len` bytes to the root (message type 1); returns the HV_STATUS. */
uint16_t root_reply(const void *payload, size_t len);

#endif
