package dev.parvis.root.loader;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvInterceptType;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.hv.input.RegisterAssoc;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import dev.parvis.vmcore.RootPhysicalMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a running child from an ELF64 image with root hypercalls only: create, deposit,
 * initialize, fill root pages and map them into the child with per-segment rights, create the VP,
 * set its registers and hypercall page, wire the ports, finalize.
 */
public final class ChildLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ChildLoader.class);
    private static final long PAGE = 4096;
    private static final int R = HvMapGpaFlags.READABLE;
    private static final int W = HvMapGpaFlags.WRITABLE;
    private static final int X = HvMapGpaFlags.EXECUTABLE;

    private final RootHypercalls hc;
    private final RootPhysicalMemory memory;
    private final long rootId;

    public ChildLoader(RootHypercalls hc, RootPhysicalMemory memory) {
        this.hc = hc;
        this.memory = memory;
        this.rootId = hc.getPartitionId();
    }

    /** Loads and starts the child; on failure nothing of it is left behind. */
    public LoadedChild load(GuestSpec spec) {
        return load(spec, id -> { });
    }

    /**
     * Loads the child and starts it after {@code beforeStart} has wired whatever else it needs
     * (VMBus, say): a guest must never run before its connections exist.
     */
    public LoadedChild load(GuestSpec spec, java.util.function.LongConsumer beforeStart) {
        ElfImage image = spec.image();
        checkFits(image, spec.ramBytes());
        long id = hc.createPartition(0);
        long[] ram = new long[0];
        try {
            hc.depositMemory(id, memory.allocate(depositPages(spec.vpCount())));
            hc.initializePartition(id);
            BootInfo boot = bootInfo(id, image, spec.ramBytes(), spec.vpCount());
            ram = memory.allocate((int) (spec.ramBytes() / PAGE) - 1);
            mapMemory(id, image, boot, ram);
            ChildChannels channels = wirePorts(id);
            hc.createVp(id, 0);
            hc.setVpRegisters(id, 0,
                    new RegisterAssoc(HvRegisterName.RIP, image.entry(), 0),
                    new RegisterAssoc(HvRegisterName.RSP, boot.stackTopGpa(), 0),
                    new RegisterAssoc(HvRegisterName.RDI, BootProtocol.BOOT_INFO_GPA, 0),
                    new RegisterAssoc(HvRegisterName.RFLAGS, 0x2, 0),
                    new RegisterAssoc(HvRegisterName.HYPERCALL, BootProtocol.HYPERCALL_PAGE_GPA | 1, 0));
            for (int vp = 1; vp < spec.vpCount(); vp++) {
                hc.createVp(id, vp); // waits for the guest's HvCallStartVirtualProcessor
            }
            hc.installIntercept(id, HvInterceptType.ACCESS_WRITE, HvInterceptType.X64_IO_PORT, BootProtocol.POWER_OFF_PORT);
            beforeStart.accept(id);
            hc.finalizePartition(id);
            LOG.info("{}: partition {} running, {} KiB RAM, entry 0x{}", spec.name(), id, spec.ramBytes() >> 10, Long.toHexString(image.entry()));
            return new LoadedChild(id, spec.name(), boot, channels, ram);
        } catch (RuntimeException e) {
            destroy(id, ram);
            throw e;
        }
    }

    /**
     * Rebuilds a saved child (restore): creates the partition with {@code image.vpCount()} VPs,
     * fills fresh root pages with the saved contents and maps each with its saved rights, wires the
     * same connection ids the child had (its view of the root is unchanged), installs the power-off
     * intercept, and runs {@code beforeFinalize} (which sets the VPs' registers, the reference time
     * and any devices) before finalizing. On failure nothing of it is left behind.
     */
    public LoadedChild restore(RestoredImage image, java.util.function.LongConsumer beforeFinalize) {
        BootInfo boot = image.bootInfo(); // a boot page that does not read refuses the image before anything is built
        long id = hc.createPartition(0);
        long[] ram = new long[0];
        try {
            hc.depositMemory(id, memory.allocate(depositPages(image.vpCount())));
            hc.initializePartition(id);
            ram = memory.allocate(image.pageCount());
            try (RootPageView view = memory.view(ram)) {
                image.fill(view);
            }
            mapRuns(id, ram, image.rights());
            ChildChannels channels = wirePorts(id);
            for (int vp = 0; vp < image.vpCount(); vp++) {
                hc.createVp(id, vp);
            }
            hc.installIntercept(id, HvInterceptType.ACCESS_WRITE, HvInterceptType.X64_IO_PORT, BootProtocol.POWER_OFF_PORT);
            beforeFinalize.accept(id);
            hc.finalizePartition(id);
            LOG.info("{}: partition {} restored, {} KiB RAM, {} VP(s)", image.name(), id, (ram.length + 1L) * 4, image.vpCount());
            return new LoadedChild(id, image.name(), boot, channels, ram);
        } catch (RuntimeException e) {
            destroy(id, ram);
            throw e;
        }
    }

    /** Pages the hypervisor needs deposited for a partition with {@code vpCount} VPs (its deposit rule). */
    public static int depositPages(int vpCount) {
        return HvConstants.DEPOSIT_PAGES_PER_PARTITION + vpCount * HvConstants.DEPOSIT_PAGES_PER_VP;
    }

    /**
     * The map rights {@link #load} gives each GPN of a child built from {@code image} with
     * {@code ramBytes} of RAM (index = GPN; GPN 0 is never mapped and has rights 0).
     */
    public static int[] pageRights(ElfImage image, long ramBytes) {
        int[] rights = rights(image, (int) (ramBytes / PAGE));
        rights[0] = 0;
        return rights;
    }

    /** Maps root pages {@code ram[i]} at GPN {@code i + 1} with {@code rights[i + 1]}, run by run. */
    private void mapRuns(long id, long[] ram, int[] rights) {
        int pages = ram.length + 1;
        int runStart = 1;
        for (int gpn = 2; gpn <= pages; gpn++) {
            if (gpn == pages || rights[gpn] != rights[runStart]) {
                hc.mapGpaPages(id, runStart, rights[runStart], java.util.Arrays.copyOfRange(ram, runStart - 1, gpn - 1));
                runStart = gpn;
            }
        }
    }

    /** Deletes the child and takes back every page it held: its deposit and its RAM. */
    public void destroy(LoadedChild child) {
        destroy(child.partitionId(), child.ramPages());
    }

    private void destroy(long partitionId, long[] ram) {
        try {
            hc.deletePartition(partitionId);
        } catch (RuntimeException e) {
            LOG.debug("delete of partition {}: {}", partitionId, e.getMessage());
        }
        try {
            long[] deposit = hc.withdrawAllMemory(partitionId);
            if (deposit.length > 0) {
                memory.free(deposit);
            }
        } catch (RuntimeException e) {
            // A partition that never got a deposit is gone from the table once deleted.
            LOG.debug("withdraw from partition {}: {}", partitionId, e.getMessage());
        }
        if (ram.length > 0) {
            // Deleting the partition scrubbed these pages and gave them back to the root.
            memory.free(ram);
        }
    }

    private static void checkFits(ElfImage image, long ramBytes) {
        long stackBase = ramBytes - BootProtocol.STACK_SIZE;
        for (ElfImage.Segment s : image.segments()) {
            if (s.vaddr() < BootProtocol.IMAGE_BASE_GPA || s.end() > stackBase) {
                throw new InvalidImageException("segment 0x%x-0x%x outside [0x%x, 0x%x)"
                        .formatted(s.vaddr(), s.end(), BootProtocol.IMAGE_BASE_GPA, stackBase));
            }
        }
    }

    private static BootInfo bootInfo(long id, ElfImage image, long ramBytes, int vpCount) {
        long imageEnd = alignUp(image.highestAddress());
        long stackBase = ramBytes - BootProtocol.STACK_SIZE;
        return new BootInfo(id, 0, vpCount, BootProtocol.HYPERCALL_PAGE_GPA, ramBytes, BootProtocol.IMAGE_BASE_GPA, imageEnd,
                imageEnd, stackBase, ramBytes, ChildChannels.CHILD_MESSAGE_CONNECTION, ChildChannels.CHILD_EVENT_CONNECTION,
                BootProtocol.ROOT_MESSAGE_SINT);
    }

    /** Fills root pages with the boot page and the image, then gives them to the child run by run. */
    private void mapMemory(long id, ElfImage image, BootInfo boot, long[] rootPages) {
        int pages = rootPages.length + 1;
        int[] rights = rights(image, pages);
        try (RootPageView view = memory.view(rootPages)) {
            boot.write(view.page(gpnIndex(BootProtocol.BOOT_INFO_GPA)));
            for (ElfImage.Segment s : image.segments()) {
                view.write(s.vaddr() - PAGE, image.bytes(), (int) s.offset(), (int) s.fileSize());
            }
        }
        int runStart = 1;
        for (int gpn = 2; gpn <= pages; gpn++) {
            if (gpn == pages || rights[gpn] != rights[runStart]) {
                long[] run = java.util.Arrays.copyOfRange(rootPages, runStart - 1, gpn - 1);
                hc.mapGpaPages(id, runStart, rights[runStart], run);
                runStart = gpn;
            }
        }
    }

    /** Rights per GPN: RAM read-write, boot page read-only, image pages from their segment flags. */
    private static int[] rights(ElfImage image, int pages) {
        int[] rights = new int[pages];
        java.util.Arrays.fill(rights, R | W);
        rights[(int) (BootProtocol.HYPERCALL_PAGE_GPA / PAGE)] = R | X;
        rights[(int) (BootProtocol.BOOT_INFO_GPA / PAGE)] = R;
        boolean[] touched = new boolean[pages];
        for (ElfImage.Segment s : image.segments()) {
            int flags = (s.read() ? R : 0) | (s.write() ? W : 0) | (s.execute() ? X : 0);
            for (long gpn = s.vaddr() / PAGE; gpn < alignUp(s.end()) / PAGE; gpn++) {
                rights[(int) gpn] = touched[(int) gpn] ? rights[(int) gpn] | flags : flags;
                touched[(int) gpn] = true;
            }
        }
        return rights;
    }

    private ChildChannels wirePorts(long id) {
        long root = rootId;
        ChildChannels c = ChildChannels.forPartition(id);
        hc.createPort(root, c.rootMessagePortId(), id, new PortInfo(HvPortType.MESSAGE, ChildChannels.ROOT_MESSAGE_SINT, 0, (short) 0, (short) 0));
        hc.connectPort(id, ChildChannels.CHILD_MESSAGE_CONNECTION, root, c.rootMessagePortId(), HvPortType.MESSAGE);
        hc.createPort(root, c.rootMessagePortId() + 1, id,
                new PortInfo(HvPortType.EVENT, ChildChannels.ROOT_EVENT_SINT, 0, (short) c.rootEventFlag(), (short) 1));
        hc.connectPort(id, ChildChannels.CHILD_EVENT_CONNECTION, root, c.rootMessagePortId() + 1, HvPortType.EVENT);
        hc.createPort(id, ChildChannels.CHILD_PORT_ID, root, new PortInfo(HvPortType.MESSAGE, BootProtocol.ROOT_MESSAGE_SINT, 0, (short) 0, (short) 0));
        hc.connectPort(root, c.rootToChildConnection(), id, ChildChannels.CHILD_PORT_ID, HvPortType.MESSAGE);
        return c;
    }

    private static int gpnIndex(long gpa) {
        return (int) (gpa / PAGE) - 1;
    }

    private static long alignUp(long value) {
        return (value + PAGE - 1) & ~(PAGE - 1);
    }
}
