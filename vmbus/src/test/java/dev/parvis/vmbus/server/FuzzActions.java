package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.ModifyChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.RelidReleased;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.client.GuestPages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The fuzzed guest's choice of its next control message, weighted by its model so that sequences
 * reach deep states: it connects, asks for offers, builds GPADLs (bodies in steps of their own, so
 * other messages come between them), opens channels on them, closes, modifies, tears down, releases
 * rescinded relids and unloads; mostly with plausible ids and now and then with wrong ones (a relid
 * never offered, a handle reused, a ring offset or VP out of range, an unsupported version).
 */
final class FuzzActions {
    private static final VmbusVersion[] OTHER_VERSIONS = {VmbusVersion.WS2008, VmbusVersion.WIN7, VmbusVersion.WIN8,
            VmbusVersion.WIN8_1, VmbusVersion.COPPER, new VmbusVersion(0x00050004)};

    private record Choice(int weight, Supplier<FuzzWire> build) {
    }

    private final Random rnd;
    private final FuzzGuest guest;
    private int nextHandle;
    private int nextOpenId = 1;

    FuzzActions(Random rnd, FuzzGuest guest) {
        this.rnd = rnd;
        this.guest = guest;
        this.nextHandle = 0x100 + rnd.nextInt(0x1000);
    }

    /** The guest's next well-formed message (the model decides whether it can be acted on). */
    FuzzWire message() {
        boolean up = guest.version != null;
        List<Choice> choices = new ArrayList<>();
        choices.add(new Choice(up ? 1 : 30, this::contact));
        choices.add(new Choice(up && !guest.offersRequested ? 30 : 1, () -> FuzzWire.of(new RequestOffers())));
        choices.add(new Choice(up && !guest.offers.isEmpty() ? 14 : 1, this::header));
        choices.add(new Choice(assembling().isEmpty() ? 1 : 16, this::body));
        choices.add(new Choice(guest.gpadls.isEmpty() ? 1 : 5, this::teardown));
        choices.add(new Choice(up && !guest.gpadls.isEmpty() ? 14 : 1, this::open));
        choices.add(new Choice(guest.rings.relids().isEmpty() && guest.opens.isEmpty() ? 1 : 5, this::close));
        choices.add(new Choice(2, this::modify));
        choices.add(new Choice(guest.offers.containsValue(true) ? 8 : 1, this::relidReleased));
        choices.add(new Choice(1, () -> FuzzWire.of(new Unload())));
        int total = choices.stream().mapToInt(Choice::weight).sum();
        int pick = rnd.nextInt(total);
        for (Choice c : choices) {
            pick -= c.weight();
            if (pick < 0) {
                return c.build().get();
            }
        }
        throw new AssertionError();
    }

    /** A message of any kind, mutated. */
    FuzzWire mutated() {
        FuzzWire w = message().mutate(rnd);
        return rnd.nextInt(3) == 0 ? w.mutate(rnd) : w;
    }

    private boolean often() {
        return rnd.nextInt(10) < 9;
    }

    private int pick(List<Integer> from, int otherwise) {
        return from.isEmpty() || !often() ? otherwise : from.get(rnd.nextInt(from.size()));
    }

    private int wrongRelid() {
        int[] wrong = {0, 1, 2, 3, 4, 7, 2047, 2048, -1};
        return wrong[rnd.nextInt(wrong.length)];
    }

    private int vp() {
        int[] wrong = {guest.vpCount, -1, 64};
        return often() ? rnd.nextInt(guest.vpCount) : wrong[rnd.nextInt(wrong.length)];
    }

    private FuzzWire contact() {
        VmbusVersion v = rnd.nextInt(5) > 0 ? List.copyOf(VmbusServer.SUPPORTED_VERSIONS).stream().sorted(
                (a, b) -> Integer.compare(a.raw(), b.raw())).toList().get(rnd.nextInt(VmbusServer.SUPPORTED_VERSIONS.size()))
                : OTHER_VERSIONS[rnd.nextInt(OTHER_VERSIONS.length)];
        int sint = often() ? VmbusConstants.MESSAGE_SINT : rnd.nextInt(20);
        long page = v.isAtLeast(VmbusVersion.WIN10_V5) ? InitiateContact.interruptPageForSint(sint, 0) : rnd.nextLong();
        return FuzzWire.of(new InitiateContact(v, vp(), page, 0, 0));
    }

    private List<Integer> offered(boolean rescinded) {
        return guest.offers.entrySet().stream().filter(e -> e.getValue() == rescinded).map(Map.Entry::getKey).toList();
    }

    private List<Integer> assembling() {
        return guest.gpadls.entrySet().stream().filter(e -> e.getValue().phase == FuzzGuest.Phase.ASSEMBLING
                && e.getValue().pages != null).map(Map.Entry::getKey).toList();
    }

    private FuzzWire header() {
        int r = rnd.nextInt(100);
        int pages = r < 60 ? 4 + rnd.nextInt(5) : r < 75 ? 1 + rnd.nextInt(3) : r < 95 ? 27 + rnd.nextInt(34)
                : 61 + rnd.nextInt(140);
        GuestPages memory = guest.rings.allocate(pages);
        int relid = pick(offered(false), wrongRelid());
        int handle = rnd.nextInt(7) == 0 && !guest.gpadls.isEmpty()
                ? List.copyOf(guest.gpadls.keySet()).get(rnd.nextInt(guest.gpadls.size())) : nextHandle++;
        int offset = rnd.nextInt(7) == 0 ? 1 + rnd.nextInt(4095) : 0;
        int slack = rnd.nextInt(7) == 0 ? rnd.nextInt(Math.min(4096, pages * 4096 - offset)) : 0;
        FuzzWire w = FuzzWire.gpadlHeader(relid, handle, offset, pages * 4096 - offset - slack, memory.gpns());
        w.pages = memory;
        return w;
    }

    private FuzzWire body() {
        List<Integer> candidates = assembling();
        if (candidates.isEmpty()) {
            return FuzzWire.gpadlBody(rnd.nextBoolean() ? nextHandle : rnd.nextInt(), new long[1 + rnd.nextInt(28)]);
        }
        int handle = candidates.get(rnd.nextInt(candidates.size()));
        FuzzGuest.Gpadl g = guest.gpadls.get(handle);
        int left = g.pfns.length - g.sent;
        int count = often() ? Math.min(left, rnd.nextBoolean() ? 28 : 1 + rnd.nextInt(28)) : Math.min(28, left + 1);
        long[] pfns = Arrays.copyOfRange(g.pfns, g.sent, g.sent + count); // zero-padded past the end
        return FuzzWire.gpadlBody(handle, pfns);
    }

    private FuzzWire teardown() {
        int handle = pick(List.copyOf(guest.gpadls.keySet()), nextHandle + rnd.nextInt(3));
        int relid = guest.gpadls.containsKey(handle) ? guest.gpadls.get(handle).relid : wrongRelid();
        return FuzzWire.of(new GpadlTeardown(relid, handle));
    }

    private FuzzWire open() {
        List<Integer> closed = offered(false).stream().filter(r -> !guest.rings.hasChannel(r) && !guest.opening(r)).toList();
        int relid = pick(closed, pick(List.copyOf(guest.offers.keySet()), wrongRelid()));
        List<Integer> free = guest.gpadls.entrySet().stream().filter(e -> e.getValue().phase == FuzzGuest.Phase.CREATED
                && e.getValue().pages != null && e.getValue().pfns.length >= 4 && !guest.gpadlInUse(e.getKey()))
                .map(Map.Entry::getKey).toList();
        int handle = pick(free, pick(List.copyOf(guest.gpadls.keySet()), nextHandle));
        FuzzGuest.Gpadl g = guest.gpadls.get(handle);
        int pages = g == null ? 4 : g.pfns.length;
        int[] wrong = {0, 1, pages - 1, pages, -1, 0x10000};
        int offset = often() ? 2 + rnd.nextInt(Math.max(1, pages - 3)) : wrong[rnd.nextInt(wrong.length)];
        if (g != null && g.pages != null && !g.ringUsed && free.contains(handle) && offset >= 2 && offset <= pages - 2) {
            FuzzRings.initialize(g.pages, offset);
            g.layout = offset;
        }
        byte[] userData = new byte[OpenChannel.USER_DATA_SIZE];
        rnd.nextBytes(userData);
        while (guest.openIds.contains(nextOpenId)) {
            nextOpenId++; // a mutated open took it
        }
        return FuzzWire.of(new OpenChannel(relid, nextOpenId++, handle, vp(), offset, userData));
    }

    private FuzzWire close() {
        List<Integer> mine = new ArrayList<>(guest.rings.relids());
        guest.opens.forEach(p -> mine.add(p.relid()));
        return FuzzWire.of(new CloseChannel(pick(mine.stream().sorted().toList(), wrongRelid())));
    }

    private FuzzWire modify() {
        return FuzzWire.of(new ModifyChannel(pick(guest.rings.relids(), wrongRelid()), vp()));
    }

    private FuzzWire relidReleased() {
        return FuzzWire.of(new RelidReleased(pick(offered(true), pick(offered(false), wrongRelid()))));
    }
}
