/*
 * parvis/synic.h - the synthetic interrupt controller in polling mode.
 *
 * Guests run with IF = 0 and no IDT, so a SINT is programmed with the POLLING
 * bit: the hypervisor writes a message into the SINT's SIMP slot (or sets an
 * event flag in the SIEFP page) without raising an interrupt, and a `hlt`
 * returns when such work is pending. The guest then polls the slot.
 */
#ifndef PARVIS_SDK_SYNIC_H
#define PARVIS_SDK_SYNIC_H

#include <stdbool.h>
#include <stdint.h>
#include <parvis/hvabi.h>

/* Vector programmed into every SINT (never raised in polling mode). */
#define PARVIS_SDK_SINT_VECTOR 0x20u

/* Enables the SynIC (first call allocates the SIMP and SIEFP pages) and
 * unmasks `sint` in polling mode. Returns the first failing HV_STATUS. */
uint16_t synic_enable(uint32_t sint);

/* If a message is in the SINT's slot: copies its 16-byte header and payload
 * into *out, frees the slot (CAS message_type to 0), full barrier, and writes
 * EOM when the pending flag was set. Returns true when a message was taken. */
bool synic_poll_message(uint32_t sint, struct hv_message *out);

/* hlt-and-poll until a message arrives on `sint`. */
void synic_wait_message(uint32_t sint, struct hv_message *out);

/* Atomically tests and clears event flag `flag` (0..2047) of `sint`. */
bool synic_test_and_clear_event(uint32_t sint, uint32_t flag);

/* GPAs (also pointers) of the SIMP and SIEFP pages, NULL before synic_enable. */
volatile struct hv_message *synic_message_page(void);
volatile uint8_t *synic_event_page(void);

#endif
