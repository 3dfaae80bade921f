package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.AllOffersDelivered;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.ChannelMessageType;
import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.MalformedChannelMessageException;
import dev.parvis.abi.vmbus.ModifyChannel;
import dev.parvis.abi.vmbus.ModifyChannelResponse;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.RelidReleased;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.RescindChannelOffer;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.abi.vmbus.UnloadResponse;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.client.GuestPages;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fuzzed guest's model of its connection, built only from what it posted and what the server
 * answered: the version it negotiated, the relids offered to it, its GPADLs and channels. Every
 * message it posts (well-formed or mutated) is parsed as the server parses it and changes the model
 * as it changes the server; the model decides whether the server owes an answer for certain or
 * only perhaps ({@link AnswerLedger}), and checks what the server sends against it: no relid
 * offered twice, no rescind of what was not offered, no renegotiation accepted mid-session, no
 * answer nobody asked for. Its data path (rings, echoes) is {@link FuzzRings}.
 */
final class FuzzGuest {
    /** One GPADL as the guest knows it; {@code pages} null for one it did not build (a mutated header). */
    static final class Gpadl {
        final int relid;
        final GuestPages pages;
        final long[] pfns;
        int sent;
        Phase phase;
        int dupRefusals;
        /** An OPEN_CHANNEL named it: the host may still read its rings, so the guest lays them out no more. */
        boolean ringUsed;
        /** The downstream offset the guest laid its rings out for (0: never); only such rings are the guest's to use. */
        int layout;

        Gpadl(int relid, GuestPages pages, long[] pfns, int sent) {
            this.relid = relid;
            this.pages = pages;
            this.pfns = pfns;
            this.sent = sent;
            this.phase = sent >= pfns.length ? Phase.PENDING : Phase.ASSEMBLING;
        }
    }

    enum Phase { ASSEMBLING, PENDING, CREATED, TEARING }

    /**
     * An OPEN_CHANNEL waiting for its result; {@code ambiguous} when another waited under the same open
     * id (a mutated one): which result is whose is unknowable, so neither result gives the guest rings.
     */
    record PendingOpen(int openId, int relid, int gpadl, int offset, boolean ambiguous) {
        PendingOpen asAmbiguous() {
            return new PendingOpen(openId, relid, gpadl, offset, true);
        }
    }

    final AnswerLedger ledger = new AnswerLedger();
    final FuzzRings rings;
    final int vpCount;
    private final List<String> violations = new ArrayList<>();
    private final ArrayDeque<VmbusVersion> contacts = new ArrayDeque<>();
    VmbusVersion version;
    boolean offersRequested;
    int unloadsInFlight;
    /** Offered relids; true once rescinded. */
    final TreeMap<Integer, Boolean> offers = new TreeMap<>();
    final TreeMap<Integer, Gpadl> gpadls = new TreeMap<>();
    final List<PendingOpen> opens = new ArrayList<>();
    /** Every open id the guest used, so that it picks new ones. */
    final Set<Integer> openIds = new HashSet<>();
    /** GPADLs named by opens that waited under one open id (mutated): a channel may use them unbeknown to the guest. */
    private final Set<Integer> uncertainGpadls = new HashSet<>();
    /** Relids the guest released before they were rescinded: a rescind still in flight may have freed them. */
    private final Set<Integer> prematureReleases = new TreeSet<>();
    private boolean failed;

    FuzzGuest(FuzzRings rings, int vpCount) {
        this.rings = rings;
        this.vpCount = vpCount;
    }

    List<String> takeViolations() {
        List<String> out = List.copyOf(violations);
        violations.clear();
        return out;
    }

    /** The server's answers are settled: nothing more may come for what the guest asked before. */
    boolean connected() {
        return version != null && contacts.isEmpty() && unloadsInFlight == 0;
    }

    /** Whether the server may be connected when it processes the guest's next message. */
    private boolean maybeConnected() {
        return version != null || !contacts.isEmpty();
    }

    /** The server failed the connection: it answers nothing more, so nothing is owed. */
    void connectionFailed() {
        failed = true;
        ledger.releaseAll(key -> false);
    }

    // ---- what the guest posts ----------------------------------------------------------------

    /**
     * The guest posts {@code w}: parsed as the server parses it, it changes the model as it
     * changes the server. {@code intended}: the guest built it to be valid (not mutated), so when
     * the model agrees, its answer is owed for certain.
     */
    void posted(FuzzWire w, boolean intended) {
        if (failed || w.length < 0 || w.length > VmbusConstants.MAX_MESSAGE_SIZE) {
            return;
        }
        ChannelMessage m;
        try {
            m = ChannelMessage.parse(w.segment(), w.length);
        } catch (MalformedChannelMessageException e) {
            malformed(w);
            return;
        }
        switch (m) {
            case InitiateContact c -> {
                ledger.owed("VERSION");
                contacts.add(c.versionRequested());
            }
            case RequestOffers r -> {
                expect("ALLOFFERS", intended && connected() && !offersRequested);
                offersRequested |= maybeConnected();
            }
            case GpadlHeader h -> header(h, w, intended);
            case GpadlBody b -> body(b, w, intended);
            case GpadlTeardown t -> {
                Gpadl g = gpadls.get(t.gpadl());
                expect("GPADL:" + t.gpadl(), intended && connected() && g != null && g.phase == Phase.CREATED);
                if (g != null) {
                    g.phase = Phase.TEARING;
                }
            }
            case OpenChannel o -> open(o, intended);
            case CloseChannel c -> closed(c.childRelid());
            case ModifyChannel mc -> modify(mc, intended);
            case RelidReleased r -> {
                if (Boolean.TRUE.equals(offers.get(r.childRelid()))) {
                    offers.remove(r.childRelid());
                } else {
                    // Refused, unless an offer and rescind the guest has not seen yet come first: then it frees the relid.
                    prematureReleases.add(r.childRelid());
                }
            }
            case Unload u -> {
                ledger.owed("UNLOAD");
                ledger.releaseAll(key -> key.equals("VERSION") || key.equals("UNLOAD"));
                unloadsInFlight++;
            }
            default -> {
                // A host-to-guest message: refused, unanswered.
            }
        }
    }

    /** What the server answers to a message it cannot parse: GPADL and OPEN_CHANNEL get a failure. */
    private void malformed(FuzzWire w) {
        if (!maybeConnected() || w.length < 16) {
            return;
        }
        int type = w.type();
        if (type == ChannelMessageType.GPADL_HEADER.raw() || type == ChannelMessageType.GPADL_BODY.raw()) {
            ledger.maybe("GPADL:" + w.u32(12));
            Gpadl g = gpadls.get(w.u32(12));
            if (g != null && g.phase == Phase.ASSEMBLING) {
                g.dupRefusals = 0; // the server drops the assembly: its refusal ends the GPADL
            } else if (g != null) {
                g.dupRefusals++; // refused, and the GPADL stays
            }
        } else if (type == ChannelMessageType.OPEN_CHANNEL.raw()) {
            ledger.maybe("OPEN:" + w.u32(8));
        }
    }

    private void expect(String key, boolean certain) {
        if (certain) {
            ledger.owed(key);
        } else if (maybeConnected()) {
            ledger.maybe(key);
        }
    }

    private void header(GpadlHeader h, FuzzWire w, boolean intended) {
        Gpadl g = gpadls.get(h.gpadl());
        boolean proper = intended && connected() && g == null && offers.containsKey(h.childRelid());
        expect("GPADL:" + h.gpadl(), proper);
        if (g != null) {
            g.dupRefusals++;
        } else if (maybeConnected()) {
            GuestPages pages = intended ? w.pages : null;
            long[] pfns = pages != null ? pages.gpns() : new long[Math.max(1, (w.length - 28) / 8)];
            gpadls.put(h.gpadl(), new Gpadl(h.childRelid(), pages, pfns, Math.min(pfns.length, (w.length - 28) / 8)));
        }
    }

    private void body(GpadlBody b, FuzzWire w, boolean intended) {
        Gpadl g = gpadls.get(b.gpadl());
        int carried = (w.length - 16) / 8;
        boolean continues = g != null && g.phase == Phase.ASSEMBLING && carried > 0 && g.sent + carried <= g.pfns.length;
        if (!(intended && continues)) {
            expect("GPADL:" + b.gpadl(), false);
        }
        if (continues) {
            g.sent += carried;
            if (g.sent == g.pfns.length) {
                g.phase = Phase.PENDING;
            }
        }
    }

    private void open(OpenChannel o, boolean intended) {
        Gpadl g = gpadls.get(o.ringBufferGpadlHandle());
        if (g != null) {
            g.ringUsed = true;
            if (g.layout != o.downstreamRingBufferPageOffset()) {
                g.layout = 0; // the host may lay other rings over these pages: the guest's layout is gone
            }
        }
        boolean proper = intended && connected() && Boolean.FALSE.equals(offers.get(o.childRelid()))
                && !rings.hasChannel(o.childRelid()) && !opening(o.childRelid()) && g != null && g.phase == Phase.CREATED
                && g.pages != null && !gpadlInUse(o.ringBufferGpadlHandle()) && o.downstreamRingBufferPageOffset() >= 2
                && o.downstreamRingBufferPageOffset() <= g.pfns.length - 2 && o.targetVp() >= 0 && o.targetVp() < vpCount;
        expect("OPEN:" + o.childRelid(), proper);
        openIds.add(o.openId());
        if (!maybeConnected()) {
            return;
        }
        PendingOpen p = new PendingOpen(o.openId(), o.childRelid(), o.ringBufferGpadlHandle(),
                o.downstreamRingBufferPageOffset(), false);
        for (int i = 0; i < opens.size(); i++) {
            PendingOpen earlier = opens.get(i);
            if (earlier.openId() == p.openId()) {
                opens.set(i, earlier.asAmbiguous());
                p = p.asAmbiguous();
                uncertainGpadls.add(earlier.gpadl()); // a channel may use it unbeknown to the guest
                uncertainGpadls.add(p.gpadl());
            }
        }
        opens.add(p);
    }

    private void closed(int relid) {
        rings.forget(relid);
        opens.removeIf(p -> p.relid() == relid);
        ledger.release("OPEN:" + relid);
    }

    private void modify(ModifyChannel m, boolean intended) {
        String key = "MODIFY:" + m.childRelid();
        if (connected()) {
            if (version.isAtLeast(VmbusVersion.WIN10_V5_3)) {
                expect(key, intended);
            }
        } else if (maybeConnected()) {
            ledger.maybe(key);
        }
    }

    boolean opening(int relid) {
        return opens.stream().anyMatch(p -> p.relid() == relid);
    }

    /** Whether a channel the guest has, or an open it waits for, uses GPADL {@code handle}. */
    boolean gpadlInUse(int handle) {
        return rings.usesGpadl(handle) || opens.stream().anyMatch(p -> p.gpadl() == handle);
    }

    // ---- what the server sends ---------------------------------------------------------------

    void received(ChannelMessage m) {
        if (failed) {
            violations.add("a failed connection sent " + m);
            return;
        }
        switch (m) {
            case VersionResponse v -> version(v);
            case OfferChannel o -> {
                if (offers.containsKey(o.childRelid()) && !prematureReleases.remove(o.childRelid())) {
                    violations.add("relid " + o.childRelid() + " offered while the guest holds it");
                }
                offers.put(o.childRelid(), false);
            }
            case AllOffersDelivered a -> answered("ALLOFFERS");
            case RescindChannelOffer r -> {
                if (!Boolean.FALSE.equals(offers.get(r.childRelid()))) {
                    violations.add("rescind of relid " + r.childRelid() + " that is not offered (or rescinded already)");
                }
                offers.put(r.childRelid(), true);
                closed(r.childRelid());
            }
            case GpadlCreated c -> created(c);
            case GpadlTorndown t -> {
                answered("GPADL:" + t.gpadl());
                gpadls.remove(t.gpadl());
            }
            case OpenChannelResult r -> openResult(r);
            case ModifyChannelResponse r -> answered("MODIFY:" + r.childRelid());
            case UnloadResponse u -> {
                answered("UNLOAD");
                unloadsInFlight = Math.max(0, unloadsInFlight - 1);
                version = null;
                offersRequested = false;
                offers.clear();
                gpadls.clear();
                opens.clear();
                prematureReleases.clear();
                uncertainGpadls.clear();
                rings.forgetAll();
            }
            default -> violations.add("the server sent a guest-to-host message: " + m);
        }
    }

    private void answered(String key) {
        String excess = ledger.answered(key);
        if (excess != null) {
            violations.add(excess);
        }
    }

    private void version(VersionResponse v) {
        answered("VERSION");
        VmbusVersion asked = contacts.poll();
        if (v.versionSupported() && asked != null) {
            if (version != null) {
                violations.add("INITIATE_CONTACT for " + asked + " accepted while connected with " + version);
            }
            version = asked;
        }
    }

    private void created(GpadlCreated c) {
        answered("GPADL:" + c.gpadl());
        Gpadl g = gpadls.get(c.gpadl());
        if (g == null) {
            return;
        }
        if (c.creationStatus() == VmbusConstants.STATUS_SUCCESS) {
            if (g.phase != Phase.TEARING) {
                g.phase = Phase.CREATED;
            }
        } else if (g.dupRefusals > 0) {
            g.dupRefusals--;
        } else {
            gpadls.remove(c.gpadl());
        }
    }

    private void openResult(OpenChannelResult r) {
        answered("OPEN:" + r.childRelid());
        PendingOpen p = opens.stream().filter(o -> o.openId() == r.openId() && o.relid() == r.childRelid()).findFirst()
                .orElse(null);
        if (p == null) {
            return; // the answer to a malformed open, which names what its bytes say
        }
        opens.remove(p);
        if (r.status() != VmbusConstants.STATUS_SUCCESS || p.ambiguous()) {
            return;
        }
        Gpadl g = gpadls.get(p.gpadl());
        rings.opened(p.relid(), p.gpadl(), g != null && g.layout == p.offset() ? g.pages : null, p.offset());
    }

    /**
     * Answers owed that have not come, once the server is idle and its queue empty. A teardown of a
     * GPADL under a channel the guest still has waits for that channel; a GPADL still being
     * assembled is answered only when the guest completes it.
     */
    List<String> unanswered() {
        if (failed) {
            return List.of();
        }
        return ledger.unanswered(key -> {
            if (!key.startsWith("GPADL:")) {
                return false;
            }
            int handle = Integer.parseInt(key.substring(6));
            Gpadl g = gpadls.get(handle);
            return (g != null && g.phase == Phase.ASSEMBLING) || gpadlInUse(handle) || uncertainGpadls.contains(handle);
        });
    }
}
