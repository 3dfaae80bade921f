package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * The host side of one fuzzed connection, for {@link ServerSequenceFuzzTest}: the servers' effects
 * over one loopback guest memory, where the servers' requests (grants, opens, releases) and channel
 * turns run only when the fuzzer says, so a sequence replays exactly. While a snapshot runs, turns
 * run on threads of their own instead (the snapshot waits for them to reach a packet boundary, as
 * it does for the virtual threads of a real host). Each server gets its own {@link Port}: a message
 * or signal path from a server that was closed is a defect. Everything here that channel turns
 * reach is guarded by this object's monitor.
 */
final class FuzzHost implements AutoCloseable {
    /** A message the guest received, and where. */
    record Delivered(byte[] bytes, GuestTarget target, ChannelMessage message) {
    }

    /** {@code -Dparvis.fuzz.log=true}: the servers' log lines go to the output as they come (to replay one case). */
    private static final boolean LOG = Boolean.getBoolean("parvis.fuzz.log");

    final LoopbackGuestMemory memory = new LoopbackGuestMemory(9);
    private final ArrayDeque<Runnable> requests = new ArrayDeque<>();
    private final ArrayDeque<Runnable> turns = new ArrayDeque<>();
    private final List<Thread> turnThreads = new ArrayList<>();
    private final List<Delivered> delivered = new ArrayList<>();
    private final Set<Integer> signals = new TreeSet<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> internalErrors = new ArrayList<>();
    private boolean threadedTurns;
    /** The guest does not read its SINT queue: every message is refused. */
    volatile boolean queueFull;
    volatile boolean retryAsked;
    private int liveGeneration;

    /** Effects for the server of {@code generation}; only the newest generation may act. */
    ServerEffects port(int generation) {
        synchronized (this) {
            liveGeneration = generation;
        }
        return new Port(generation);
    }

    synchronized List<Delivered> takeDelivered() {
        List<Delivered> out = List.copyOf(delivered);
        delivered.clear();
        return out;
    }

    synchronized Set<Integer> signals() {
        return Set.copyOf(signals);
    }

    synchronized List<String> takeViolations() {
        List<String> out = new ArrayList<>(violations);
        out.addAll(internalErrors);
        violations.clear();
        internalErrors.clear();
        return out;
    }

    /** Runs every queued request (and those they queue) in order; returns how many ran. */
    int runRequests() {
        return runAll(requests);
    }

    /** Runs queued channel turns until none is queued; false when turns kept coming (a turn that never ends). */
    boolean runTurns() {
        for (int round = 0; round < 10_000; round++) {
            if (runAll(turns) == 0) {
                return true;
            }
        }
        return false;
    }

    private int runAll(ArrayDeque<Runnable> queue) {
        int ran = 0;
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
            }
            if (next == null) {
                return ran;
            }
            next.run();
            ran++;
        }
    }

    synchronized boolean idle() {
        return requests.isEmpty() && turns.isEmpty();
    }

    synchronized boolean turnsIdle() {
        return turns.isEmpty();
    }

    synchronized int queuedRequests() {
        return requests.size();
    }

    /** From now on turns run on threads of their own, those queued too (a snapshot is about to wait for them). */
    void threadTurns() {
        synchronized (this) {
            threadedTurns = true;
            while (!turns.isEmpty()) {
                startTurnThread(turns.poll());
            }
        }
    }

    /** Waits for every turn thread and goes back to queued turns; false when one is still running after 10 s. */
    boolean queueTurns() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<Thread> running;
            synchronized (this) {
                turnThreads.removeIf(t -> !t.isAlive());
                if (turnThreads.isEmpty()) {
                    threadedTurns = false;
                    return true;
                }
                running = List.copyOf(turnThreads);
            }
            for (Thread t : running) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
    }

    private void startTurnThread(Runnable turn) {
        turnThreads.add(Thread.ofPlatform().daemon().name("fuzz-turn").start(turn));
    }

    @Override
    public void close() {
        memory.close();
    }

    /** The effects of one server. */
    private final class Port implements ServerEffects {
        private final int generation;

        Port(int generation) {
            this.generation = generation;
        }

        /** Called holding the host's monitor. */
        private void requireLive(String what) {
            if (generation != liveGeneration) {
                violations.add("a closed server (generation " + generation + ") " + what);
            }
        }

        @Override
        public GuestRamWindow guestRam() {
            return memory.sharedWindow();
        }

        @Override
        public boolean sendMessage(ChannelMessage message, GuestTarget target) {
            synchronized (FuzzHost.this) {
                requireLive("sent " + message);
                if (queueFull) {
                    return false;
                }
                delivered.add(new Delivered(message.toBytes(), target, message));
                return true;
            }
        }

        @Override
        public void retryLater() {
            synchronized (FuzzHost.this) {
                retryAsked = true;
            }
        }

        @Override
        public int createChannelSignal(int relid) {
            synchronized (FuzzHost.this) {
                requireLive("created the signal path of relid " + relid);
                if (!signals.add(relid)) {
                    violations.add("signal path of relid " + relid + " created while it exists");
                }
                return VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid;
            }
        }

        @Override
        public void releaseChannelSignal(int relid) {
            synchronized (FuzzHost.this) {
                if (!signals.remove(relid)) {
                    violations.add("signal path of relid " + relid + " released but it does not exist");
                }
            }
        }

        @Override
        public void signalGuest(int relid, int targetVp) {
            // The guest looks at its rings when the fuzzer says; the signal itself carries nothing to check.
        }

        @Override
        public GuestMemoryView openGuestPages(long[] gpns) {
            return memory.open(memory.partitionId(), gpns);
        }

        @Override
        public Executor channelExecutor() {
            return turn -> {
                synchronized (FuzzHost.this) {
                    if (threadedTurns) {
                        startTurnThread(turn);
                    } else {
                        turns.add(turn);
                    }
                }
            };
        }

        @Override
        public Executor requestExecutor() {
            return request -> {
                synchronized (FuzzHost.this) {
                    requests.add(request);
                }
            };
        }

        @Override
        public void log(String line) {
            synchronized (FuzzHost.this) {
                if (LOG) {
                    System.out.println("    log (server " + generation + "): " + line);
                }
                if (line.contains("internal error")) {
                    internalErrors.add("server caught its own exception: " + line);
                }
            }
        }
    }
}
