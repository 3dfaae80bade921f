package dev.parvis.e2e.vm;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.vmcore.ChildDebugListener;
import dev.parvis.vmcore.GuestMemoryGrants;
import dev.parvis.vmcore.HypercallGateway;
import dev.parvis.vmcore.HypervisorServices;
import dev.parvis.vmcore.RootPhysicalMemory;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hypervisor as the management service sees it, with the root's intercept SINT shut until the
 * test opens it: the root's router waits as if it were stalled, so the kernel's intercept reports
 * stay in the child's share of the root's queue and, once that is full, are held in the kernel.
 * Every intercept the router takes once open is recorded. Nothing else is changed; the other SINTs,
 * the hypercalls and the memory are the hypervisor's own.
 */
final class StalledInterceptRouting implements HypervisorServices {
    private final HypervisorServices hv;
    private final Synic synic;
    private final List<HvMessage> taken = new CopyOnWriteArrayList<>();
    private volatile boolean open;

    StalledInterceptRouting(HypervisorServices hv) {
        this.hv = hv;
        this.synic = new Synic(hv.rootSynic());
    }

    /** The router takes intercepts from now on (it finds them at its next poll). */
    void open() {
        open = true;
    }

    /** The intercepts the router took, in the order it took them. */
    List<HvMessage> taken() {
        return List.copyOf(taken);
    }

    @Override
    public HypercallGateway gateway() {
        return hv.gateway();
    }

    @Override
    public RootPhysicalMemory rootMemory() {
        return hv.rootMemory();
    }

    @Override
    public RootSynic rootSynic() {
        return synic;
    }

    @Override
    public GuestMemoryGrants grants() {
        return hv.grants();
    }

    @Override
    public void setDebugListener(ChildDebugListener listener) {
        hv.setDebugListener(listener);
    }

    @Override
    public void sendDebugData(long partitionId, byte[] data) {
        hv.sendDebugData(partitionId, data);
    }

    /** The fixture closes the hypervisor itself. */
    @Override
    public void close() {
    }

    private final class Synic implements RootSynic {
        private final RootSynic root;

        Synic(RootSynic root) {
            this.root = root;
        }

        private boolean shut(int sint) {
            return sint == INTERCEPT_SINT && !open;
        }

        private Optional<HvMessage> recorded(int sint, Optional<HvMessage> m) {
            if (sint == INTERCEPT_SINT) {
                m.ifPresent(taken::add);
            }
            return m;
        }

        @Override
        public Optional<HvMessage> poll(int sint) {
            return shut(sint) ? Optional.empty() : recorded(sint, root.poll(sint));
        }

        @Override
        public Optional<HvMessage> take(int sint, Duration timeout) throws InterruptedException {
            if (shut(sint)) {
                Thread.sleep(timeout); // what a waiting router does when nothing comes
                return Optional.empty();
            }
            return recorded(sint, root.take(sint, timeout));
        }

        @Override
        public boolean takeInto(int sint, Duration timeout, java.util.function.Consumer<HvMessage> handOff) throws InterruptedException {
            if (shut(sint)) {
                Thread.sleep(timeout);
                return false;
            }
            return root.takeInto(sint, timeout, m -> {
                recorded(sint, Optional.of(m));
                handOff.accept(m);
            });
        }

        @Override
        public int queued(int sint, long child) {
            return root.queued(sint, child);
        }

        @Override
        public boolean testAndClearEvent(int sint, int flag) {
            return root.testAndClearEvent(sint, flag);
        }

        @Override
        public void subscribe(int sint, int flag, Runnable listener) {
            root.subscribe(sint, flag, listener);
        }

        @Override
        public void unsubscribe(int sint, int flag) {
            root.unsubscribe(sint, flag);
        }

        @Override
        public boolean awaitEvent(int sint, Duration timeout) throws InterruptedException {
            return root.awaitEvent(sint, timeout);
        }
    }
}
