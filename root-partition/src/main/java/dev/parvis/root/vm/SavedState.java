package dev.parvis.root.vm;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.root.loader.RestoredImage;
import dev.parvis.root.storage.DiskChannelState;
import dev.parvis.vmbus.server.VmbusServerState;
import dev.parvis.vmcore.RootPageView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.UUID;

/**
 * A saved VM: the reference time, each VP's registers, the guest RAM from GPN 1 with each page's
 * map rights, the root-side VMBus server state ({@code vmbus}, null when the VM had no VMBus
 * attachment; the rings themselves are in the RAM), and each VP's SIM and SIEF pages ({@code synic},
 * one per VP, or empty for a file written before they were saved), and where each open storvsc
 * channel's initialization stood ({@code diskChannels}, empty without disks or in an older file), the
 * versions each integration service's open channel had negotiated ({@code icVersions}, empty in an
 * older file). {@code memory} holds page
 * {@code i} (GPN {@code i + 1}) at offset {@code i * 4096}; it is the guest's RAM only, never an
 * overlay page.
 */
record SavedState(UUID vmId, String name, long referenceTime, List<List<VpRegisters.Value>> vps, int[] rights, byte[] memory,
                  VmbusServerState vmbus, List<VpSynicPages> synic, List<DiskChannelState> diskChannels,
                  List<SavedIcVersions.Entry> icVersions)
        implements RestoredImage {
    static final int PAGE = 4096;

    SavedState(UUID vmId, String name, long referenceTime, List<List<VpRegisters.Value>> vps, int[] rights, byte[] memory) {
        this(vmId, name, referenceTime, vps, rights, memory, null);
    }

    SavedState(UUID vmId, String name, long referenceTime, List<List<VpRegisters.Value>> vps, int[] rights, byte[] memory,
               VmbusServerState vmbus) {
        this(vmId, name, referenceTime, vps, rights, memory, vmbus, List.of());
    }

    SavedState(UUID vmId, String name, long referenceTime, List<List<VpRegisters.Value>> vps, int[] rights, byte[] memory,
               VmbusServerState vmbus, List<VpSynicPages> synic) {
        this(vmId, name, referenceTime, vps, rights, memory, vmbus, synic, List.of());
    }

    SavedState(UUID vmId, String name, long referenceTime, List<List<VpRegisters.Value>> vps, int[] rights, byte[] memory,
               VmbusServerState vmbus, List<VpSynicPages> synic, List<DiskChannelState> diskChannels) {
        this(vmId, name, referenceTime, vps, rights, memory, vmbus, synic, diskChannels, List.of());
    }

    SavedState {
        if (memory.length % PAGE != 0 || rights.length != memory.length / PAGE + 1) {
            throw new IllegalArgumentException("rights for %d GPNs do not match %d bytes of RAM".formatted(rights.length, memory.length));
        }
        vps = List.copyOf(vps);
        synic = List.copyOf(synic);
        diskChannels = List.copyOf(diskChannels);
        icVersions = List.copyOf(icVersions);
        if (!synic.isEmpty() && synic.size() != vps.size()) {
            throw new IllegalArgumentException("SIM/SIEF pages of %d VPs for %d VPs".formatted(synic.size(), vps.size()));
        }
    }

    /**
     * VP {@code vp}'s SIM and SIEF pages to restore. A file without them was written while those pages
     * lay in the guest's RAM, so what the guest saw then is the RAM at its SIMP and SIEFP addresses.
     */
    VpSynicPages synicPages(int vp) {
        if (!synic.isEmpty()) {
            return synic.get(vp);
        }
        return new VpSynicPages(ramPageAt(vp, HvRegisterName.SIMP), ramPageAt(vp, HvRegisterName.SIEFP));
    }

    /** The saved RAM page an enabled page register of {@code vp} points at, or zeros. */
    private byte[] ramPageAt(int vp, HvRegisterName register) {
        for (VpRegisters.Value v : vps.get(vp)) {
            long gpn = v.low() >>> 12;
            if (v.name() == register.raw() && (v.low() & 1) != 0 && gpn >= 1 && gpn <= pageCount()) {
                return java.util.Arrays.copyOfRange(memory, (int) (gpn - 1) * PAGE, (int) gpn * PAGE);
            }
        }
        return new byte[PAGE];
    }

    @Override
    public int pageCount() {
        return memory.length / PAGE;
    }

    @Override
    public int vpCount() {
        return vps.size();
    }

    /**
     * The boot page as the guest has it (GPA 0x2000), with the partition id it was started under; a
     * decoded file's boot page is known to read ({@link SavedStateDecoder} checks it).
     */
    @Override
    public BootInfo bootInfo() {
        return BootInfo.read(MemorySegment.ofArray(memory).asSlice(PAGE, PAGE));
    }

    @Override
    public void fill(RootPageView view) {
        MemorySegment all = MemorySegment.ofArray(memory);
        for (int i = 0; i < pageCount(); i++) {
            MemorySegment.copy(all, (long) i * PAGE, view.page(i), 0, PAGE);
        }
    }

    long readU64(long gpa) {
        return MemorySegment.ofArray(memory).get(ValueLayout.JAVA_LONG_UNALIGNED, gpa - PAGE);
    }
}
