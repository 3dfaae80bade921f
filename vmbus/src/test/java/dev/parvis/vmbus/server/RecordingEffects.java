package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;

import java.util.ArrayList;
import java.util.List;

/** ServerEffects that record everything, with grants from a LoopbackGuestMemory. */
class RecordingEffects implements ServerEffects {
    record Sent(ChannelMessage message, GuestTarget target) {
    }

    final LoopbackGuestMemory memory;
    final List<Sent> sent = new ArrayList<>();
    final List<Integer> signalsCreated = new ArrayList<>();
    final List<Integer> signalsReleased = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    /** Requests the server handed off (grants, opens, releases), run by {@link #runRequests}. */
    final java.util.ArrayDeque<Runnable> requests = new java.util.ArrayDeque<>();
    /** While true, the guest's queue is full: sendMessage refuses. */
    boolean queueFull;
    int retriesRequested;

    RecordingEffects(LoopbackGuestMemory memory) {
        this.memory = memory;
    }

    @Override
    public GuestRamWindow guestRam() {
        return memory.sharedWindow();
    }

    @Override
    public synchronized boolean sendMessage(ChannelMessage message, GuestTarget target) {
        if (queueFull) {
            return false;
        }
        sent.add(new Sent(message, target));
        return true;
    }

    @Override
    public java.util.concurrent.Executor requestExecutor() {
        return r -> {
            synchronized (requests) {
                requests.add(r);
            }
        };
    }

    /** Runs every handed-off request (and any they hand off in turn); returns how many ran. */
    int runRequests() {
        int ran = 0;
        while (true) {
            Runnable next;
            synchronized (requests) {
                next = requests.poll();
            }
            if (next == null) {
                return ran;
            }
            next.run();
            ran++;
        }
    }

    @Override
    public synchronized void retryLater() {
        retriesRequested++;
    }

    @Override
    public synchronized int createChannelSignal(int relid) {
        signalsCreated.add(relid);
        return VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid;
    }

    @Override
    public synchronized void releaseChannelSignal(int relid) {
        signalsReleased.add(relid);
    }

    /** Host-to-guest signals as {relid, VP}. */
    final List<int[]> guestSignals = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void signalGuest(int relid, int targetVp) {
        guestSignals.add(new int[] {relid, targetVp});
    }

    @Override
    public GuestMemoryView openGuestPages(long[] gpns) {
        return memory.open(memory.partitionId(), gpns);
    }

    @Override
    public synchronized void log(String line) {
        log.add(line);
    }

    /** Messages sent since the last call. */
    synchronized List<ChannelMessage> take() {
        List<ChannelMessage> out = sent.stream().map(Sent::message).toList();
        sent.clear();
        return out;
    }

    synchronized List<Sent> takeSent() {
        List<Sent> out = List.copyOf(sent);
        sent.clear();
        return out;
    }

    synchronized int logCount() {
        return log.size();
    }
}
