package dev.parvis.vmcore.hostfile;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Reads of an open host file that never wait for the disk, for a thread that must not block (a VMBus
 * channel's turn): Linux {@code preadv2(2)} with {@code RWF_NOWAIT} copies what the page cache holds
 * and fails with {@code EAGAIN} where it would have to wait for the device (it may start readahead,
 * but does not wait for it). A read that is not entirely cached is reported as not done, so the
 * caller hands it to a thread that may wait.
 *
 * <p>A destination in guest RAM may be revoked (its arena closed) at any moment, so the kernel may
 * write through its address only while its scope is held. The linker holds the scope of every segment
 * passed to a downcall for the duration of the call (an arena closed meanwhile fails, and the guest-RAM
 * epoch retries the close after the call), so a native destination is handed to {@code preadv2}
 * a second time, as a trailing argument the function ignores: on the two ABIs where that is
 * harmless (x86-64 and AArch64 pass it in a register the callee never reads) the bytes land straight in
 * the destination. Elsewhere, and for heap destinations, they land in a bounce buffer and are copied
 * with {@link MemorySegment#copy}, which checks the destination's scope itself. Hence the
 * {@link #MAX_BYTES} bound: for larger requests the copy is a small share of the cost anyway.
 */
public final class PageCacheReader implements AutoCloseable {
    /** The largest read served; larger ones are reported as not done. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final int RWF_NOWAIT = 0x8;
    /** The errno values (the same on x86-64 and arm64) after which the file is never asked again. */
    private static final int EOPNOTSUPP = 95;
    private static final int EINVAL = 22;
    private static final long CLOSED = Long.MIN_VALUE;

    /** The sixth integer argument travels in a register (r9, x5) that a five-argument callee never reads. */
    private static final boolean EXTRA_ARGUMENT_IGNORED = System.getProperty("os.name", "").equals("Linux")
            && switch (System.getProperty("os.arch", "")) {
                case "amd64", "x86_64", "aarch64" -> true;
                default -> false;
            };
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final long IOVEC_AT = MAX_BYTES;
    private static final long STATE_AT = MAX_BYTES + 64;
    private static final MethodHandle PREADV2 = Linker.nativeLinker().defaultLookup().find("preadv2")
            .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno")))
            .orElse(null);
    /**
     * preadv2 with one more pointer argument, the destination, which only keeps its scope held
     * through the call (see the class comment); null where an extra register argument is not known to be harmless.
     */
    private static final MethodHandle PREADV2_HOLDING = Linker.nativeLinker().defaultLookup().find("preadv2")
            .filter(symbol -> EXTRA_ARGUMENT_IGNORED)
            .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Linker.Option.captureCallState("errno")))
            .orElse(null);
    /**
     * Scratch buffers (bounce buffer, then one iovec, then the captured errno) that reads borrow and
     * return. Not per thread: a VMBus channel's turn is a new virtual thread each time, so a
     * thread-local buffer was allocated, zeroed and faulted in (64 KiB) on every turn, which cost a
     * turn serving one cached 4 KiB read more than the read. A buffer beyond {@link #SPARES} waiting
     * is dropped (its automatic arena frees it). Slots taken and given back with one atomic exchange
     * each, not a queue's lock: a borrow happens on every cached read.
     */
    private static final int SPARES = 16;
    private static final AtomicReferenceArray<MemorySegment> SCRATCH = new AtomicReferenceArray<>(SPARES);
    private static final AtomicLong SCRATCH_MADE = new AtomicLong();

    private final int descriptor;
    /** Reads in progress, plus {@link #CLOSED} once closing: the descriptor is closed when no read uses it. */
    private final AtomicLong users = new AtomicLong();
    private volatile boolean supported = PREADV2 != null;

    PageCacheReader(int descriptor) {
        this.descriptor = descriptor;
    }

    /**
     * Fills {@code dst} with the file's bytes from {@code position} when the page cache holds all of
     * them, without waiting for the disk. False when it did not: part of the range is not cached, the
     * range passes the end of the file, {@code dst} is larger than {@link #MAX_BYTES}, the file system
     * cannot read without waiting, the read failed, or the reader is closed; {@code dst} may then hold
     * some of the bytes, and the caller reads the range the ordinary way (which reports any error).
     *
     * @throws IllegalStateException when {@code dst} is no longer accessible (its arena closed)
     */
    public boolean readCached(long position, MemorySegment dst) {
        if (!supported || dst.byteSize() > MAX_BYTES || dst.isReadOnly()) {
            return false;
        }
        if (users.incrementAndGet() < 0) {
            users.decrementAndGet();
            return false;
        }
        MemorySegment scratch = borrowScratch();
        try {
            return readInto(position, dst, scratch);
        } finally {
            returnScratch(scratch); // never shared: a buffer is back in a slot only once this read is done with it
            users.decrementAndGet();
        }
    }

    /** A spare scratch buffer (the first non-empty slot, taken by exchange), or a new one. */
    private static MemorySegment borrowScratch() {
        for (int i = 0; i < SPARES; i++) {
            if (SCRATCH.getPlain(i) != null) {
                MemorySegment taken = SCRATCH.getAndSet(i, null);
                if (taken != null) {
                    return taken;
                }
            }
        }
        SCRATCH_MADE.incrementAndGet();
        return Arena.ofAuto().allocate(STATE_AT + CALL_STATE.byteSize(), 4096);
    }

    /** Puts {@code scratch} in the first empty slot; dropped when all are full. */
    private static void returnScratch(MemorySegment scratch) {
        for (int i = 0; i < SPARES; i++) {
            if (SCRATCH.getPlain(i) == null && SCRATCH.compareAndSet(i, null, scratch)) {
                return;
            }
        }
    }

    /** Scratch buffers made so far in this JVM (tests: reads on ever new threads reuse them). */
    static long scratchBuffersMade() {
        return SCRATCH_MADE.get();
    }

    private boolean readInto(long position, MemorySegment dst, MemorySegment scratch) {
        MemorySegment state = scratch.asSlice(STATE_AT, CALL_STATE.byteSize());
        MemorySegment iovec = scratch.asSlice(IOVEC_AT, 16);
        if (PREADV2_HOLDING != null && dst.isNative()) {
            return readDirect(position, dst, iovec, state);
        }
        long done = 0;
        while (done < dst.byteSize()) {
            long want = dst.byteSize() - done;
            scratch.set(ValueLayout.JAVA_LONG, IOVEC_AT, scratch.address());
            scratch.set(ValueLayout.JAVA_LONG, IOVEC_AT + 8, want);
            long n = preadv2(state, iovec, position + done);
            if (n <= 0) {
                return failed(n, state);
            }
            MemorySegment.copy(scratch, 0, dst, done, n);
            done += n;
        }
        return true;
    }

    /** The kernel copies straight into {@code dst}, whose scope the call holds (the class comment says how). */
    private boolean readDirect(long position, MemorySegment dst, MemorySegment iovec, MemorySegment state) {
        long done = 0;
        while (done < dst.byteSize()) {
            iovec.set(ValueLayout.JAVA_LONG, 0, dst.address() + done);
            iovec.set(ValueLayout.JAVA_LONG, 8, dst.byteSize() - done);
            long n;
            try {
                n = (long) PREADV2_HOLDING.invokeExact(state, descriptor, iovec, 1, position + done, RWF_NOWAIT, dst);
            } catch (Throwable t) {
                throw t instanceof IllegalStateException gone ? gone // dst's arena closed before the call
                        : new IllegalStateException("preadv2(2) through java.lang.foreign", t);
            }
            if (n <= 0) {
                return failed(n, state);
            }
            done += n;
        }
        return true;
    }

    /** False for a read that did not complete; a file that cannot read without waiting is not asked again. */
    private boolean failed(long n, MemorySegment state) {
        if (n < 0) {
            int errno = (int) ERRNO.get(state, 0L);
            if (errno == EOPNOTSUPP || errno == EINVAL) {
                supported = false;
            }
        }
        return false; // EAGAIN (not cached), end of file, or an error the ordinary read will report
    }

    private long preadv2(MemorySegment state, MemorySegment iovec, long position) {
        try {
            return (long) PREADV2.invokeExact(state, descriptor, iovec, 1, position, RWF_NOWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException("preadv2(2) through java.lang.foreign", t);
        }
    }

    /** Refuses new reads, waits for those in progress (they never wait for the disk), closes the descriptor. */
    @Override
    public void close() {
        long before = users.getAndUpdate(u -> u < 0 ? u : u + CLOSED);
        if (before < 0) {
            return;
        }
        while (users.get() != CLOSED) {
            Thread.onSpinWait();
        }
        PathHandle.closeDescriptor(descriptor);
    }
}
