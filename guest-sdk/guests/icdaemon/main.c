/* icdaemon - the guest integration-services daemon: heartbeat, shutdown, time
 * sync, KVP and file copy over their VMBus IC channels (parvis/ic.h), served
 * from one polling loop that halts when nothing is pending. Each service lives
 * in its own file (icdaemon.h); the root's test commands are in rootcmds.c.
 *
 * A SHUTDOWN request is answered S_OK (hibernate: E_FAIL, not supported, and
 * the daemon keeps running); then every channel is closed, VMBus unloaded and
 * main returns, which powers the partition off. */
#include "icdaemon.h"

#define MAX_OFFERS 32
#define CLOSE_WAIT_TICKS (2000 * TICKS_PER_MS) /* bound for close/unload at shutdown */

enum { SVC_HEARTBEAT, SVC_SHUTDOWN, SVC_TIMESYNC, SVC_KVP, SVC_FCOPY };

static struct vmbus_connection conn; /* wait_ticks 0: hlt-and-poll */
static struct vmbus_offer offers[MAX_OFFERS];
static struct ic_channel channels[IC_SERVICE_COUNT];
static struct ic_message msg;

/* ---- channels ----------------------------------------------------------- */

static void serve(struct ic_channel *ic, uint32_t svc)
{
    if (!ic_is_request(&msg)) {
        dbg_printf("icdaemon: %s: ignoring message type %u with flags 0x%x\n", ic->service->name,
                   msg.hdr->message_type, msg.hdr->flags);
        return;
    }
    uint16_t type = msg.hdr->message_type;
    if (type == IC_MSG_NEGOTIATE) {
        ic_negotiate(ic, &msg);
        if (ic->negotiated)
            dbg_printf("icdaemon: %s: negotiated framework %u.%u, version %u.%u\n",
                       ic->service->name, ic->framework.major, ic->framework.minor,
                       ic->version.major, ic->version.minor);
        else
            dbg_printf("icdaemon: %s: no common version\n", ic->service->name);
        return;
    }
    uint32_t status = IC_NOT_SUPPORTED;
    if (type == ic->service->message_type) {
        switch (svc) {
        case SVC_HEARTBEAT:
            if (!heartbeat_handle(&msg, &status))
                return;
            break;
        case SVC_SHUTDOWN:
            status = shutdown_handle(&msg);
            break;
        case SVC_TIMESYNC:
            status = timesync_handle(ic, &msg);
            break;
        case SVC_KVP:
            status = kvp_handle(&msg);
            break;
        case SVC_FCOPY:
            status = fcopy_handle(&msg);
            break;
        }
    }
    int rc = ic_respond(ic, &msg, status);
    if (rc)
        dbg_printf("icdaemon: %s: answer failed: 0x%x\n", ic->service->name, (unsigned)rc);
}

/* Drains one channel; returns true if any packet was taken. */
static bool poll_channel(uint32_t svc)
{
    struct ic_channel *ic = &channels[svc];
    if (!ic->open)
        return false;
    /* Clear the signal first, then look at the ring: a packet published after
     * the look sets the flag again and hlt returns. */
    synic_test_and_clear_event(VMBUS_MESSAGE_SINT, ic->ch.relid);
    bool any = false;
    for (;;) {
        int rc = ic_recv(ic, &msg);
        if (rc == VMBUS_ERR_EMPTY)
            return any;
        any = true;
        if (rc == IC_ERR_MALFORMED) {
            dbg_printf("icdaemon: %s: malformed packet dropped (type %u, %u bytes)\n",
                       ic->service->name, msg.info.type, msg.info.payload_bytes);
            continue;
        }
        if (rc) {
            dbg_printf("icdaemon: %s: receive failed: 0x%x; channel abandoned\n",
                       ic->service->name, (unsigned)rc);
            ic->open = false;
            return any;
        }
        serve(ic, svc);
        if (shutdown_requested())
            return any;
    }
}

/* VMBus control messages arriving while we serve: a rescind ends a channel. */
static bool poll_vmbus_control(void)
{
    struct hv_message hm;
    if (!synic_poll_message(VMBUS_MESSAGE_SINT, &hm))
        return false;
    struct vmbus_rescind_channel_offer r;
    memset(&r, 0, sizeof(r));
    memcpy(&r, hm.payload, hm.payload_size < sizeof(r) ? hm.payload_size : sizeof(r));
    if (r.header.message_type == VMBUS_MSG_RESCIND_CHANNEL_OFFER &&
        hm.payload_size >= sizeof(r)) {
        for (uint32_t s = 0; s < IC_SERVICE_COUNT; s++)
            if (channels[s].open && channels[s].ch.relid == r.child_relid) {
                dbg_printf("icdaemon: %s: channel rescinded\n", channels[s].service->name);
                channels[s].open = false;
            }
    } else {
        dbg_printf("icdaemon: VMBus control message %u ignored\n", r.header.message_type);
    }
    return true;
}

/* ---- main ------------------------------------------------------------------ */

static int open_channels(int count)
{
    int opened = 0;
    for (uint32_t s = 0; s < IC_SERVICE_COUNT; s++) {
        const struct ic_service *svc = &ic_services[s];
        const struct vmbus_offer *o = vmbus_find_offer(offers, count, &svc->device_class);
        if (!o) {
            dbg_printf("icdaemon: %s: not offered\n", svc->name);
            continue;
        }
        int rc = ic_open(&conn, o, svc, &channels[s]);
        dbg_printf("icdaemon: %s: relid %u open: status 0x%x\n", svc->name, o->child_relid,
                   (unsigned)rc);
        if (rc == 0)
            opened++;
    }
    return opened;
}

static void close_all(void)
{
    conn.wait_ticks = CLOSE_WAIT_TICKS; /* the host may be going away */
    for (uint32_t s = 0; s < IC_SERVICE_COUNT; s++) {
        if (!channels[s].open)
            continue;
        int rc = ic_close(&channels[s]);
        dbg_printf("icdaemon: %s: closed (status 0x%x, %lu requests)\n",
                   channels[s].service->name, (unsigned)rc, channels[s].requests);
    }
    int rc = vmbus_disconnect(&conn);
    dbg_printf("icdaemon: VMBus unloaded: status 0x%x\n", (unsigned)rc);
}

int main(void)
{
    const struct parvis_boot_info *boot = parvis_boot();
    uint32_t root_sint = boot->root_message_sint;
    bool have_root = root_sint != VMBUS_MESSAGE_SINT;
    if (have_root) {
        uint16_t st = synic_enable(root_sint);
        if (st != HV_STATUS_SUCCESS) {
            dbg_printf("icdaemon: SynIC on SINT %u failed: 0x%x\n", root_sint, st);
            have_root = false;
        }
    } else {
        dbg_puts("icdaemon: root commands on the VMBus SINT; ignoring root commands");
    }

    kvp_init();
    int rc = vmbus_connect(&conn);
    dbg_printf("icdaemon: connect: status 0x%x, version 0x%x\n", (unsigned)rc, conn.version);
    if (rc)
        return 1;
    int count = vmbus_request_offers(&conn, offers, MAX_OFFERS);
    if (count < 0) {
        dbg_printf("icdaemon: offers failed: 0x%x\n", (unsigned)count);
        return 1;
    }
    int opened = open_channels(count);
    dbg_printf("icdaemon: %d offers, %d IC channels open; serving\n", count, opened);

    while (!shutdown_requested()) {
        bool work = false;
        for (uint32_t s = 0; s < IC_SERVICE_COUNT && !shutdown_requested(); s++)
            work |= poll_channel(s);
        work |= poll_vmbus_control();
        if (have_root)
            work |= root_command_serve(root_sint);
        if (!work && !shutdown_requested())
            hv_halt(); /* SynIC work (an event flag or a message) wakes us */
    }

    close_all();
    dbg_puts("icdaemon: shut down");
    return 0;
}
