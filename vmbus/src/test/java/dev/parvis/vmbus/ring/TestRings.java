package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.RingControl;

import dev.parvis.vmcore.GuestMemoryView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Ring memories for tests, and hand access to the control page. */
final class TestRings {
    static final int PAGE = 4096;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final byte GUARD = (byte) 0xA5;

    private TestRings() {
    }

    /** The shapes of ring memory the ring must behave the same on. */
    enum Kind {
        FLAT, PAGED_SCATTERED, VIEW_CONTIGUOUS, VIEW_SCATTERED;

        RingMemory create(Arena arena, int dataPages) {
            return switch (this) {
                case FLAT -> RingMemory.flat(arena.allocate((long) (dataPages + 1) * PAGE, PAGE));
                case PAGED_SCATTERED -> RingMemory.pages(scatteredPages(arena, dataPages + 1));
                case VIEW_CONTIGUOUS -> RingMemory.ofView(
                        new FakeView(arena.allocate((long) (dataPages + 3) * PAGE, PAGE), null), 1, dataPages + 1);
                case VIEW_SCATTERED -> RingMemory.ofView(
                        new FakeView(null, scatteredPages(arena, dataPages + 3)), 1, dataPages + 1);
            };
        }
    }

    /** Pages in shuffled, never adjacent host order. */
    static MemorySegment[] scatteredPages(Arena arena, int count) {
        MemorySegment pool = arena.allocate((long) count * 2 * PAGE, PAGE);
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.add(i * 2);
        }
        Collections.shuffle(slots, new Random(count));
        MemorySegment[] pages = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            pages[i] = pool.asSlice((long) slots.get(i) * PAGE, PAGE);
        }
        return pages;
    }

    /** A flat ring with guard pages filled with {@link #GUARD} on both sides. */
    record Guarded(MemorySegment whole, RingMemory memory) {
        static Guarded create(Arena arena, int dataPages) {
            MemorySegment whole = arena.allocate((long) (dataPages + 3) * PAGE, PAGE);
            whole.fill(GUARD);
            MemorySegment ring = whole.asSlice(PAGE, (long) (dataPages + 1) * PAGE);
            ring.fill((byte) 0);
            return new Guarded(whole, RingMemory.flat(ring));
        }

        boolean guardsIntact() {
            long end = whole.byteSize() - PAGE;
            for (long i = 0; i < PAGE; i++) {
                if (whole.get(ValueLayout.JAVA_BYTE, i) != GUARD || whole.get(ValueLayout.JAVA_BYTE, end + i) != GUARD) {
                    return false;
                }
            }
            return true;
        }

        MemorySegment data() {
            return whole.asSlice(2 * PAGE, memory.dataSize());
        }
    }

    static int word(RingMemory memory, long offset) {
        return memory.control().get(U32, offset);
    }

    static void setWord(RingMemory memory, long offset, int value) {
        memory.control().set(U32, offset, value);
    }

    static void setIndices(RingMemory memory, long write, long read) {
        setWord(memory, RingControl.WRITE_INDEX_OFFSET, (int) write);
        setWord(memory, RingControl.READ_INDEX_OFFSET, (int) read);
    }

    static MemorySegment randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return MemorySegment.ofArray(bytes);
    }

    /** A GPADL view stand-in: one contiguous segment, or separate pages. */
    static final class FakeView implements GuestMemoryView {
        private final MemorySegment contiguous;
        private final MemorySegment[] pages;

        FakeView(MemorySegment contiguous, MemorySegment[] pages) {
            this.contiguous = contiguous;
            this.pages = pages;
        }

        @Override
        public long partitionId() {
            return 7;
        }

        @Override
        public int pageCount() {
            return contiguous != null ? (int) (contiguous.byteSize() / PAGE) : pages.length;
        }

        @Override
        public MemorySegment page(int index) {
            return contiguous != null ? contiguous.asSlice((long) index * PAGE, PAGE) : pages[index];
        }

        @Override
        public MemorySegment contiguous() {
            return contiguous;
        }

        @Override
        public boolean isRevoked() {
            return false;
        }

        @Override
        public void onRevoke(Runnable action) {
        }

        @Override
        public void close() {
        }
    }
}
