package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.NotifyLongSpinWaitInput;
import dev.parvis.abi.hv.input.PostDebugDataInput;
import dev.parvis.abi.hv.input.PostDebugDataOutput;
import dev.parvis.abi.hv.input.RetrieveDebugDataInput;
import dev.parvis.abi.hv.input.RetrieveDebugDataOutput;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.partition.Partition;
import java.lang.foreign.ValueLayout;
import dev.parvis.vmcore.log.LogBudgets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debug channel and spin hints: PostDebugData (guest to root), RetrieveDebugData (root to
 * guest), ResetDebugSession, NotifyLongSpinWait.
 *
 * <p>A guest's debug output is bounded by the host, whatever the guest does: each partition spends
 * from its own byte budget ({@link Partition#DEBUG_OUTPUT_BURST_BYTES} at once, refilled at
 * {@link Partition#DEBUG_OUTPUT_BYTES_PER_SECOND}); a post over the budget is refused with INSUFFICIENT_BUFFERS (the
 * debug buffer is full; a guest retries or drops it) and reaches no listener. The root's listener
 * runs on the guest's own VP thread, so its cost is the guest's; should it fail, the failure is
 * logged (rate-limited, per partition) and the guest's call still succeeds.
 */
public final class DebugCalls {
    private static final Logger LOG = LoggerFactory.getLogger(DebugCalls.class);
    private static final int MAX_DATA = 4088;
    private static final int OPTION_LOOP = 1;
    private static final int OPTION_TEST_ACTIVITY = 2;

    private final Hypervisor hv;
    private final LogBudgets budgets = LogBudgets.standard();

    public DebugCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        d.register(HvCallCode.POST_DEBUG_DATA, HvPartitionPrivilege.DEBUGGING, this::post);
        d.register(HvCallCode.RETRIEVE_DEBUG_DATA, HvPartitionPrivilege.DEBUGGING, this::retrieve);
        d.register(HvCallCode.RESET_DEBUG_SESSION, HvPartitionPrivilege.DEBUGGING, this::reset);
        d.register(HvCallCode.NOTIFY_LONG_SPIN_WAIT, 0, this::spinWait);
    }

    private HypercallResult post(HypercallContext ctx) {
        int count = ctx.input().get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        int options = ctx.input().get(ValueLayout.JAVA_INT_UNALIGNED, 4);
        if (count < 0 || count > MAX_DATA || (options & ~OPTION_LOOP) != 0 || ctx.vp() == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        if (!ctx.caller().debugOutputBudget().tryTake(count)) {
            return HypercallContext.fail(HvStatus.INSUFFICIENT_BUFFERS);
        }
        byte[] data = Arrays.copyOf(PostDebugDataInput.read(ctx.input()).data(), count);
        try {
            hv.debugListener().debugData(ctx.caller().id(), data);
        } catch (Throwable t) {
            // The listener is the root's; an error in it (even out of memory) costs this guest its line only.
            budgets.of(ctx.caller().id()).warn(LOG, "partition {}: debug output lost, the listener failed", ctx.caller().id(), t);
        }
        new PostDebugDataOutput(0).write(ctx.output());
        return ctx.ok();
    }

    private HypercallResult retrieve(HypercallContext ctx) {
        RetrieveDebugDataInput in = RetrieveDebugDataInput.read(ctx.input());
        if (in.count() < 0 || in.count() > MAX_DATA || (in.options() & ~(OPTION_LOOP | OPTION_TEST_ACTIVITY)) != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        var queue = ctx.caller().debugInput();
        byte[] head = queue.peek();
        if (head == null) {
            return HypercallContext.fail(HvStatus.NO_DATA);
        }
        int n = Math.min(in.count(), head.length);
        byte[] rest = Arrays.copyOfRange(head, n, head.length);
        queue.poll();
        if (rest.length > 0) {
            // Keep the unread tail at the front so bytes stay in order.
            var tail = new java.util.ArrayList<byte[]>();
            tail.add(rest);
            byte[] b;
            while ((b = queue.poll()) != null) {
                tail.add(b);
            }
            queue.addAll(tail);
        }
        int remaining = queue.stream().mapToInt(b -> b.length).sum();
        new RetrieveDebugDataOutput(n, remaining, Arrays.copyOf(head, n)).write(ctx.output());
        return ctx.ok();
    }

    private HypercallResult reset(HypercallContext ctx) {
        ctx.caller().debugInput().clear();
        return ctx.ok();
    }

    private HypercallResult spinWait(HypercallContext ctx) {
        NotifyLongSpinWaitInput.read(ctx.input());
        // A hint only: the VP is spinning on a lock another VP holds; end its slice early.
        if (ctx.vp() != null) {
            ctx.vp().engine().kick();
        }
        return ctx.ok();
    }
}
