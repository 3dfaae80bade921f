/* pingpong - two children talk through ports the root connected.
 * Setup from the root: payload {u32 peer_connection_id, u32 is_initiator}.
 * The initiator posts "ping" to the peer and waits for "pong"; the other side
 * waits for "ping" and answers "pong". Each also posts to a connection it was
 * not given (peer + 100) and reports {u32 ok, u32 status_for_unconnected}.
 * Peer messages are 4 bytes and the setup 8, so they cannot be confused even
 * when a "ping" overtakes the root's setup message. */
#include <parvis/parvis.h>

#define PINGPONG_MESSAGE_TYPE 1u
#define WORD_BYTES 4u

struct pingpong_setup {
    uint32_t peer_connection_id;
    uint32_t is_initiator;
};

struct pingpong_report {
    uint32_t ok;
    uint32_t status_for_unconnected;
};

static bool is_word(const struct hv_message *m, const char *word)
{
    return m->payload_size == WORD_BYTES && memcmp(m->payload, word, WORD_BYTES) == 0;
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t sint = boot->root_message_sint;
    uint16_t status = synic_enable(sint);
    dbg_printf("pingpong: SynIC on SINT %u (status 0x%x), waiting for setup\n", sint, status);
    if (status != HV_STATUS_SUCCESS)
        return 1;

    struct pingpong_setup setup = {0, 0};
    bool have_setup = false, have_ping = false;
    struct hv_message m;
    while (!have_setup) {
        synic_wait_message(sint, &m);
        if (is_word(&m, "ping")) {
            have_ping = true; /* the peer was faster than the root's setup */
        } else if (m.payload_size >= sizeof(setup)) {
            memcpy(&setup, m.payload, sizeof(setup));
            have_setup = true;
        } else {
            dbg_printf("pingpong: ignoring a %u-byte message\n", m.payload_size);
        }
    }
    uint32_t peer = setup.peer_connection_id;
    dbg_printf("pingpong: peer connection %u, %s\n", peer,
               setup.is_initiator ? "initiator" : "responder");

    bool ok;
    if (setup.is_initiator) {
        status = hv_post_message(peer, PINGPONG_MESSAGE_TYPE, "ping", WORD_BYTES);
        dbg_printf("pingpong: sent ping (status 0x%x)\n", status);
        ok = status == HV_STATUS_SUCCESS;
        if (ok) {
            do { /* peer words are 4 bytes; anything else is not the answer */
                synic_wait_message(sint, &m);
            } while (m.payload_size != WORD_BYTES);
            ok = is_word(&m, "pong");
            dbg_printf("pingpong: %s\n", ok ? "got pong" : "expected pong, got another word");
        }
    } else {
        while (!have_ping) {
            synic_wait_message(sint, &m);
            have_ping = is_word(&m, "ping");
            if (!have_ping)
                dbg_printf("pingpong: ignoring a %u-byte message\n", m.payload_size);
        }
        dbg_puts("pingpong: got ping");
        status = hv_post_message(peer, PINGPONG_MESSAGE_TYPE, "pong", WORD_BYTES);
        dbg_printf("pingpong: sent pong (status 0x%x)\n", status);
        ok = status == HV_STATUS_SUCCESS;
    }

    uint32_t unconnected = peer + 100;
    struct pingpong_report report = {
        .ok = ok,
        .status_for_unconnected = hv_post_message(unconnected, PINGPONG_MESSAGE_TYPE, "ping",
                                                  WORD_BYTES),
    };
    dbg_printf("pingpong: post to unconnected %u gave status 0x%x\n", unconnected,
               report.status_for_unconnected);

    status = hv_post_message(boot->root_message_connection_id, PINGPONG_MESSAGE_TYPE, &report,
                             sizeof(report));
    dbg_printf("pingpong: reported ok=%u to the root (status 0x%x)\n", report.ok, status);
    return ok && status == HV_STATUS_SUCCESS ? 0 : 2;
}
