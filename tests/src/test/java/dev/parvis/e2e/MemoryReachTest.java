package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.message.MemoryInterceptMessage;
import dev.parvis.hv.backend.kvm.KvmBackend;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.root.loader.LoadedChild;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No instruction reaches memory outside the guest's GPA map: loads, stores, string instructions,
 * page-crossing accesses and instruction fetches at unmapped GPAs, at the top of the GPA space, and
 * at the KVM backend's own pages (GDT, IDT, TSS, stubs, stack, page tables, doorbell) each end as a
 * memory intercept before anything is read or written, and no pool page outside the guest changes.
 * A page the root unmaps is unreachable the moment the unmap returns. On unicorn the backend's
 * addresses are merely unmapped GPAs: the same contract holds.
 */
@OnEachBackend
@Timeout(180)
class MemoryReachTest {
    private static final long SENTINEL = 0x5e5e5e5e5e5e5e5eL;
    private static final long MARKER = 0x4d41524b45524d4bL;
    private static final int READ = 0, WRITE = 1, STRING_READ = 2, STRING_WRITE = 3, EXECUTE = 4, WATCH = 5, PEEK = 6;
    private static final int ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_EXECUTE = 2;
    /** A guest RAM page the root unmaps before the guest starts, for page-crossing accesses. */
    private static final long HOLE = GuestHarness.GUEST_RAM - BootProtocol.STACK_SIZE - 0x2000;
    private static final long WILD = 0x4000_0000L;

    private static List<Long> forbidden() {
        List<Long> gpas = new ArrayList<>(List.of(WILD, (GpaMap.MAX_GPN << 12) - 4096, HOLE));
        for (long page = 0; page < 10; page++) {
            gpas.add(KvmBackend.SUPERVISOR_AREA_GPA + page * 4096);
        }
        return gpas;
    }

    @Test
    void noLoadStoreStringOrFetchReachesAPageOutsideTheMapAndNoPoolPageChanges() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild guest = h.boot("reach", GuestHarness.GUEST_RAM, id -> h.hc.unmapGpaPages(id, HOLE >>> 12, 1));
            h.awaitOutput(guest, "waiting for requests", GuestHarness.TIMEOUT);
            // The child's own pages: its RAM, and the pages the kernel holds for it (the deposit, the SIM
            // and SIEF pages the root's messages land in, the hypercall page).
            Set<Long> own = new HashSet<>();
            for (long spn = 0; spn < h.hv.pool().pageCount(); spn++) {
                if (h.hv.pool().holder(spn) == guest.partitionId()) {
                    own.add(spn);
                }
            }
            PoolSnapshot before = PoolSnapshot.take(h.hv.pool(), own);
            int blocked = 0;
            for (long gpa : forbidden()) {
                assertEquals(SENTINEL, blocked(h, guest, READ, gpa, gpa, ACCESS_READ), "load at 0x" + Long.toHexString(gpa));
                blocked(h, guest, WRITE, gpa, gpa, ACCESS_WRITE);
                assertEquals(SENTINEL, blocked(h, guest, STRING_READ, gpa, gpa, ACCESS_READ), "rep movsb from 0x" + Long.toHexString(gpa));
                assertEquals(64, blocked(h, guest, STRING_WRITE, gpa, gpa, ACCESS_WRITE), "rep stosb to 0x" + Long.toHexString(gpa));
                blocked(h, guest, EXECUTE, gpa, gpa, ACCESS_EXECUTE);
                blocked += 5;
            }
            // Accesses that start in the guest's own page and run into the hole.
            h.hc.writeGpa(guest.partitionId(), HOLE - 8, GuestHarness.u64s(0x1122334455667788L));
            assertEquals(SENTINEL, blocked(h, guest, READ, HOLE - 4, HOLE, ACCESS_READ), "page-crossing load");
            blocked(h, guest, WRITE, HOLE - 4, HOLE, ACCESS_WRITE);
            long edge = request(h, guest, PEEK, HOLE - 8);
            if (h.hv.backend().name().equals("kvm")) {
                assertEquals(0x1122334455667788L, edge, "a page-crossing store that faults writes no byte");
            } else {
                // QEMU's TCG (unicorn) stores the first page's part before the second faults: only the
                // guest's own bytes, but not the architectural all-or-nothing.
                System.out.printf("reach on %s: bytes before the hole after the faulting page-crossing store: 0x%x%n",
                        h.hv.backend().name(), edge);
            }
            // The doorbell: loads and fetches are refused precisely; a store there lands nowhere.
            long doorbell = KvmBackend.DOORBELL_GPA;
            assertEquals(SENTINEL, blocked(h, guest, READ, doorbell, doorbell, ACCESS_READ), "load from the doorbell");
            blocked(h, guest, EXECUTE, doorbell, doorbell, ACCESS_EXECUTE);
            PoolSnapshot after = PoolSnapshot.take(h.hv.pool(), own);
            assertEquals(List.of(), after.changedSince(before), "pool pages outside the guest that changed");
            System.out.printf("reach on %s: %d accesses outside the map, every one an intercept%n", h.hv.backend().name(), blocked + 6);
        }
    }

    @Test
    void aPageTheRootUnmapsIsUnreachableTheMomentTheUnmapReturns() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild guest = h.boot("reach");
            h.awaitOutput(guest, "waiting for requests", GuestHarness.TIMEOUT);
            long[] page = h.hv.rootMemory().allocate(1);
            h.hc.mapGpaPages(guest.partitionId(), WILD >>> 12, HvMapGpaFlags.READABLE | HvMapGpaFlags.WRITABLE, page);
            long exitsBefore = h.vp0(guest).exitCount();
            h.send(guest, GuestHarness.u64s(WATCH, WILD));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (h.vp0(guest).exitCount() < exitsBefore + 20 && System.nanoTime() < deadline) {
                Thread.sleep(5); // preemption exits: the guest is in its read loop
            }
            h.hc.unmapGpaPages(guest.partitionId(), WILD >>> 12, 1);
            MemorySegment freed = h.hv.pool().pages(page[0], 1);
            freed.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, MARKER);
            HvMessage intercept = h.awaitIntercept(guest, GuestHarness.TIMEOUT);
            MemoryInterceptMessage mem = MemoryInterceptMessage.read(MemorySegment.ofArray(intercept.payload()));
            assertEquals(HvMessageType.UNMAPPED_GPA, intercept.type());
            assertEquals(WILD, mem.guestPhysicalAddress());
            assertFalse(h.pollMessage(guest, Duration.ofMillis(200)).isPresent(), "the guest never read the page after the unmap");
            long[] fresh = h.hv.rootMemory().allocate(1);
            h.hv.pool().pages(fresh[0], 1).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, MARKER);
            h.hc.mapGpaPages(guest.partitionId(), WILD >>> 12, HvMapGpaFlags.READABLE, fresh);
            h.hc.setVpRegister(guest.partitionId(), 0, HvRegisterName.INTERCEPT_SUSPEND, 0);
            assertEquals(MARKER, GuestHarness.le(h.awaitMessage(guest)).getLong(8), "reads the page mapped in its place");
        }
    }

    /**
     * Sends one access the guest must not make: expects the intercept at {@code faultGpa}, moves the
     * VP past the instruction (or back out of the call), resumes it, and returns the guest's result.
     */
    private static long blocked(GuestHarness h, LoadedChild guest, int kind, long gpa, long faultGpa, int access) throws Exception {
        h.send(guest, GuestHarness.u64s(kind, gpa));
        HvMessage m = h.awaitIntercept(guest, GuestHarness.TIMEOUT);
        String what = "kind %d at 0x%x".formatted(kind, gpa);
        assertTrue(m.type().equals(HvMessageType.UNMAPPED_GPA), () -> what + ": " + m.type() + "\n" + h.describe(guest));
        MemoryInterceptMessage mem = MemoryInterceptMessage.read(MemorySegment.ofArray(m.payload()));
        assertEquals(faultGpa, mem.guestPhysicalAddress(), what + ": faulting GPA");
        assertEquals(access, mem.header().accessType(), what + ": access type");
        long id = guest.partitionId();
        long rip = mem.header().rip();
        if (kind == EXECUTE) {
            assertEquals(gpa, rip, what + ": a fetch faults at the target");
            long rsp = h.hc.getVpRegister(id, 0, HvRegisterName.RSP);
            long ret = ByteBuffer.wrap(h.hc.readGpa(id, rsp, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            h.hc.setVpRegister(id, 0, HvRegisterName.RSP, rsp + 8);
            h.hc.setVpRegister(id, 0, HvRegisterName.RIP, ret);
        } else {
            h.hc.setVpRegister(id, 0, HvRegisterName.RIP, rip + (kind == READ || kind == WRITE ? 3 : 2));
        }
        h.hc.setVpRegister(id, 0, HvRegisterName.INTERCEPT_SUSPEND, 0);
        ByteBuffer reply = GuestHarness.le(h.awaitMessage(guest));
        assertEquals(kind, reply.getLong(), what + ": reply kind");
        return reply.getLong();
    }

    private static long request(GuestHarness h, LoadedChild guest, int kind, long gpa) throws Exception {
        h.send(guest, GuestHarness.u64s(kind, gpa));
        ByteBuffer reply = GuestHarness.le(h.awaitMessage(guest));
        reply.getLong();
        return reply.getLong();
    }
}
