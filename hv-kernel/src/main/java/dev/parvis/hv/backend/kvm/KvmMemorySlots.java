package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM's memory slots: one per region of the GPA map (readable regions only; a read-only region is
 * a read-only slot), plus slot 0 for the backend's {@link SupervisorArea}. Applying a new region list
 * deletes the slots that no longer match before adding new ones (KVM slots may not overlap).
 * Deleting a slot makes KVM drop every shadow mapping built from it, which is what makes an
 * unmapped page unreachable at once.
 */
final class KvmMemorySlots {
    static final int SUPERVISOR_SLOT = 0;

    record Slot(long gpa, long size, long host, boolean readOnly) {}

    private final int vmFd;
    private final Map<Slot, Integer> slots = new HashMap<>();
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
    private int nextId = SUPERVISOR_SLOT + 1;
    private final MemorySegment request = Arena.ofAuto().allocate(KvmAbi.MEMORY_REGION);

    KvmMemorySlots(int vmFd) {
        this.vmFd = vmFd;
    }

    /** Deletes the slots not in {@code regions}; returns the regions that still need a slot. */
    List<Slot> removeStale(List<GuestMemoryRegion> regions) {
        Map<Slot, Boolean> wanted = new HashMap<>();
        for (GuestMemoryRegion r : regions) {
            if ((r.access() & GuestMemoryRegion.READ) != 0) {
                wanted.put(new Slot(r.gpa(), r.size(), r.host().address(), (r.access() & GuestMemoryRegion.WRITE) == 0), true);
            }
        }
        for (var it = slots.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                set(e.getValue(), 0, e.getKey().gpa(), 0, 0);
                freeIds.add(e.getValue());
                it.remove();
            }
        }
        return wanted.keySet().stream().filter(s -> !slots.containsKey(s)).toList();
    }

    void add(List<Slot> missing) {
        for (Slot s : missing) {
            int id = freeIds.isEmpty() ? nextId++ : freeIds.poll();
            set(id, s.readOnly() ? KvmAbi.MEM_READONLY : 0, s.gpa(), s.size(), s.host());
            slots.put(s, id);
        }
    }

    /** (Re-)creates the supervisor slot; deleting it first drops every shadow page table KVM built. */
    void replaceSupervisor(MemorySegment memory, boolean existed) {
        if (existed) {
            set(SUPERVISOR_SLOT, 0, SupervisorArea.BASE, 0, 0);
        }
        set(SUPERVISOR_SLOT, 0, SupervisorArea.BASE, memory.byteSize(), memory.address());
    }

    int count() {
        return slots.size();
    }

    private void set(int id, int flags, long gpa, long size, long host) {
        request.set(ValueLayout.JAVA_INT, KvmAbi.offset(KvmAbi.MEMORY_REGION, "slot"), id);
        request.set(ValueLayout.JAVA_INT, KvmAbi.offset(KvmAbi.MEMORY_REGION, "flags"), flags);
        request.set(ValueLayout.JAVA_LONG, KvmAbi.offset(KvmAbi.MEMORY_REGION, "guest_phys_addr"), gpa);
        request.set(ValueLayout.JAVA_LONG, KvmAbi.offset(KvmAbi.MEMORY_REGION, "memory_size"), size);
        request.set(ValueLayout.JAVA_LONG, KvmAbi.offset(KvmAbi.MEMORY_REGION, "userspace_addr"), host);
        Libc.ioctl(vmFd, KvmAbi.SET_USER_MEMORY_REGION, request,
                "KVM_SET_USER_MEMORY_REGION slot %d gpa 0x%x size 0x%x".formatted(id, gpa, size));
    }
}
