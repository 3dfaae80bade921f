package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.MemoryAccess;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.X64Register;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One KVM VP on hand-assembled guests, in both privilege modes: exits, RIP on each, memory rights, kicks, registers. */
@Timeout(60)
class KvmEngineTest {
    private static final long HLT_AT_END = 1;

    private static ByteBuffer code() {
        return ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(ByteBuffer b) {
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** call rel32 from the code at offset {@code at} to {@code target}. */
    private static void call(ByteBuffer b, long target) {
        long next = KvmTestGuest.CODE + b.position() + 5;
        b.put((byte) 0xE8).putInt((int) (target - next));
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aRegisterLoopRunsToHaltWithRcxZeroAndRipAfterTheHlt(PrivilegeMode mode) {
        ByteBuffer b = code().put((byte) 0xB9).putInt(1_000_000).put(new byte[] {(byte) 0xFF, (byte) 0xC9, 0x75, (byte) 0xFC, (byte) 0xF4});
        try (KvmTestGuest g = new KvmTestGuest(mode, bytes(b))) {
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(0, g.reg(X64Register.RCX));
            assertEquals(KvmTestGuest.CODE + 10, g.rip());
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aHypercallThroughThePageExitsAtTheVmcallPlaceAndReturnsOnceTheKernelAdvancesRip(PrivilegeMode mode) {
        ByteBuffer b = code().put((byte) 0xB9).putInt(0x1234);
        call(b, KvmTestGuest.PAGE);
        b.put((byte) 0xF4);
        try (KvmTestGuest g = new KvmTestGuest(mode, bytes(b))) {
            VpExit exit = g.engine.run();
            assertEquals(new VpExit.Hypercall(3), exit);
            assertEquals(KvmTestGuest.PAGE, g.rip(), "RIP at the page's hypercall instruction");
            assertEquals(0x1234, g.reg(X64Register.RCX));
            g.engine.writeRegister(X64Register.RAX, 0x99);
            g.engine.writeRegister(X64Register.RIP, g.rip() + 3);
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(KvmTestGuest.CODE + 11, g.rip(), "returned to the caller and halted");
            assertEquals(0x99, g.reg(X64Register.RAX));
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void thePagesHaltAndOutwEntriesHaltAndWriteThePortWithRipAtTheirRet(PrivilegeMode mode) {
        ByteBuffer b = code();
        call(b, KvmTestGuest.PAGE + dev.parvis.abi.boot.BootProtocol.HYPERCALL_PAGE_HALT);
        b.put(new byte[] {0x66, (byte) 0xBA, 0x04, 0x06, 0x66, (byte) 0xB8, 0x00, 0x20});
        call(b, KvmTestGuest.PAGE + dev.parvis.abi.boot.BootProtocol.HYPERCALL_PAGE_OUTW);
        b.put((byte) 0xF4);
        try (KvmTestGuest g = new KvmTestGuest(mode, bytes(b))) {
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(KvmTestGuest.PAGE + dev.parvis.abi.boot.BootProtocol.HYPERCALL_PAGE_HALT + 1, g.rip());
            assertEquals(new VpExit.IoPortWrite(0x604, 2, 0x2000), g.engine.run());
            assertEquals(KvmTestGuest.PAGE + dev.parvis.abi.boot.BootProtocol.HYPERCALL_PAGE_OUTW + 2, g.rip());
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(KvmTestGuest.CODE + b.position(), g.rip());
        }
    }

    /** mov rax, EXTRA + offset; then {@code access}; hlt. */
    private static byte[] touch(long offset, byte[] access) {
        ByteBuffer b = code().put(new byte[] {0x48, (byte) 0xB8}).putLong(KvmTestGuest.EXTRA + offset).put(access);
        return bytes(b.put((byte) 0xF4));
    }

    private static final byte[] STORE_55 = {0x48, (byte) 0xC7, 0x00, 0x55, 0, 0, 0};
    private static final byte[] LOAD_RBX = {0x48, (byte) 0x8B, 0x18};

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aStoreToAnUnmappedGpaFaultsAtTheStoreAndLandsOnceThePageIsMapped(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, touch(0, STORE_55))) {
            assertEquals(new VpExit.MemoryViolation(KvmTestGuest.EXTRA, MemoryAccess.WRITE, false), g.engine.run());
            assertEquals(KvmTestGuest.CODE + 10, g.rip(), "RIP at the store");
            g.mapExtra(GuestMemoryRegion.READ | GuestMemoryRegion.WRITE);
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(0x55, g.extra.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aLoadFromAnUnmappedGpaFaultsAtTheLoadAndReadsOnceMapped(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, touch(8, LOAD_RBX))) {
            assertEquals(new VpExit.MemoryViolation(KvmTestGuest.EXTRA + 8, MemoryAccess.READ, false), g.engine.run());
            assertEquals(KvmTestGuest.CODE + 10, g.rip());
            g.extra.set(ValueLayout.JAVA_LONG, 8, 0xABCDL);
            g.mapExtra(GuestMemoryRegion.READ);
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(0xABCD, g.reg(X64Register.RBX));
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aWriteToAReadOnlyPageIsAMappedWriteViolationEveryTimeAndNeverLands(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, touch(0, STORE_55))) {
            g.mapExtra(GuestMemoryRegion.READ);
            for (int attempt = 0; attempt < 2; attempt++) {
                assertEquals(new VpExit.MemoryViolation(KvmTestGuest.EXTRA, MemoryAccess.WRITE, true), g.engine.run());
                assertEquals(KvmTestGuest.CODE + 10, g.rip());
            }
            assertEquals(0, g.extra.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aPageUnmappedBetweenRunsIsUnreachableOnTheVeryNextAccess(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, touch(0, LOAD_RBX))) {
            g.mapExtra(GuestMemoryRegion.READ | GuestMemoryRegion.WRITE);
            assertInstanceOf(VpExit.Halt.class, g.engine.run(), "reads while mapped");
            g.engine.applyMemoryMap(List.of(g.ramRegion()));
            g.engine.writeRegister(X64Register.RIP, KvmTestGuest.CODE);
            assertEquals(new VpExit.MemoryViolation(KvmTestGuest.EXTRA, MemoryAccess.READ, false), g.engine.run());
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void fetchingFromANonExecutablePageIsAnExecuteViolation(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, touch(0, new byte[] {(byte) 0xFF, (byte) 0xE0}))) {
            g.extra.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xF4);
            g.mapExtra(GuestMemoryRegion.READ | GuestMemoryRegion.WRITE);
            assertEquals(new VpExit.MemoryViolation(KvmTestGuest.EXTRA, MemoryAccess.EXECUTE, true), g.engine.run());
            assertEquals(KvmTestGuest.EXTRA, g.rip());
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void faultsAndTrapsEndTheRunWithTheirVectorAndTheArchitecturalRip(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, new byte[] {0x0F, 0x0B})) {
            assertEquals(new VpExit.InvalidOpcode(KvmTestGuest.CODE), g.engine.run());
        }
        try (KvmTestGuest g = new KvmTestGuest(mode, new byte[] {(byte) 0xCC})) {
            VpExit.Exception e = assertInstanceOf(VpExit.Exception.class, g.engine.run());
            assertEquals(3, e.vector(), e.detail());
            assertEquals(KvmTestGuest.CODE + 1, g.rip(), "int3 is a trap: RIP after it");
        }
        try (KvmTestGuest g = new KvmTestGuest(mode, new byte[] {0x31, (byte) 0xC9, (byte) 0xF7, (byte) 0xF1})) {
            VpExit.Exception e = assertInstanceOf(VpExit.Exception.class, g.engine.run());
            assertEquals(0, e.vector());
            assertEquals(KvmTestGuest.CODE + 2, g.rip(), "#DE is a fault: RIP at the div");
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void portIoInterruptFlagAndHltWorkAsAtCplZero(PrivilegeMode mode) {
        byte[] code = {0x66, (byte) 0xBA, 0x70, 0x00, (byte) 0xB0, 0x05, (byte) 0xEE, (byte) 0xE4, 0x71, (byte) 0xFA, (byte) 0xF4};
        try (KvmTestGuest g = new KvmTestGuest(mode, code)) {
            g.acceptPortOut = true;
            g.portInValue = 0x42;
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(KvmTestGuest.CODE + code.length, g.rip());
            assertEquals(0x42, g.reg(X64Register.RAX) & 0xFF, "in al, 0x71");
            assertEquals(1, g.portOuts.size());
            assertEquals(List.of(0x70L, 1L, 5L), java.util.Arrays.stream(g.portOuts.get(0)).boxed().toList());
            assertEquals(0, g.reg(X64Register.RFLAGS) & (1 << 9), "IF clear after cli");
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void cpuidAnswersAreTheKernelCallbacks(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, new byte[] {(byte) 0xB8, 0, 0, 0, 0x40, 0x0F, (byte) 0xA2, (byte) 0xF4})) {
            assertInstanceOf(VpExit.Halt.class, g.engine.run());
            assertEquals(0x4000_0005, g.reg(X64Register.RAX));
            assertEquals(0x7263694D, g.reg(X64Register.RBX));
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aKickBeforeTheRunCancelsItAndOneDuringAnEndlessLoopStopsItWithRipInTheLoop(PrivilegeMode mode) throws Exception {
        try (KvmTestGuest g = new KvmTestGuest(mode, new byte[] {(byte) 0xEB, (byte) 0xFE})) {
            g.engine.kick();
            assertTrue(g.engine.kickPending());
            assertInstanceOf(VpExit.Cancelled.class, g.engine.run());
            assertEquals(KvmTestGuest.CODE, g.rip(), "did not run");
            Thread kicker = Thread.ofPlatform().start(() -> {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                g.engine.kick();
            });
            assertInstanceOf(VpExit.Cancelled.class, g.engine.run());
            kicker.join();
            assertEquals(KvmTestGuest.CODE, g.rip(), "stopped inside jmp $");
        }
    }

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void syntheticMsrsReachTheKernelAndOthersFault(PrivilegeMode mode) {
        ByteBuffer b = code().put((byte) 0xB9).putInt(0x4000_0000).put((byte) 0xB8).putInt(0x1234).put((byte) 0xBA).putInt(0x5678)
                .put(new byte[] {0x0F, 0x30});                                       // wrmsr GUEST_OS_ID
        b.put((byte) 0xB9).putInt(0x4000_0002).put(new byte[] {0x0F, 0x32});        // rdmsr VP_INDEX
        b.put((byte) 0xB9).putInt(0x4000_0003).put(new byte[] {0x0F, 0x32});        // rdmsr of an MSR not implemented
        try (KvmTestGuest g = new KvmTestGuest(mode, bytes(b))) {
            assertInstanceOf(VpExit.Cancelled.class, g.engine.run(), "returns after a WRMSR so the kernel can apply map changes");
            assertEquals(1, g.msrWrites.size());
            assertEquals(0x5678_0000_1234L, g.msrWrites.get(0)[1]);
            VpExit.Exception gp = assertInstanceOf(VpExit.Exception.class, g.engine.run());
            assertEquals(13, gp.vector(), gp.detail());
            assertEquals(0x77, g.reg(X64Register.RAX));
            assertEquals(0, g.reg(X64Register.RDX));
            assertEquals(KvmTestGuest.CODE + b.position() - 2, g.rip(), "#GP at the second rdmsr");
        }
    }

    @Test
    void aVpStoppedInsideAHypercallPageStubIsReportedAtTheEntryThatJumpedThere() {
        try (KvmTestGuest g = new KvmTestGuest(PrivilegeMode.DEPRIVILEGED, new byte[] {(byte) 0xF4})) {
            for (KvmHypercallPage.ExitPoint e : KvmHypercallPage.exits()) {
                g.engine.writeRegister(X64Register.RIP, KvmTestGuest.PAGE + e.stub() + 1);
                g.engine.kick();
                assertInstanceOf(VpExit.Cancelled.class, g.engine.run());
                assertEquals(KvmTestGuest.PAGE + e.entry(), g.rip(), e.kind() + " stub");
            }
        }
    }

    @Test
    void aFreshVpShowsTheBootProtocolStateAndWrittenStateReadsBack() {
        try (KvmTestGuest g = new KvmTestGuest(PrivilegeMode.DEPRIVILEGED, new byte[] {(byte) 0xF4})) {
            assertEquals(0x11, g.reg(X64Register.CR0));
            assertEquals(0x500, g.reg(X64Register.EFER));
            assertEquals(0, g.reg(X64Register.CR3));
            assertEquals(0x2, g.reg(X64Register.RFLAGS));
            assertEquals(new SegmentRegister(0, 0xFFFF_FFFF, (short) 0, (short) 0xA09B), g.engine.readSegment(X64Register.CS));
            assertEquals(new TableRegister(0, 0), g.engine.readTable(X64Register.GDTR));
            g.engine.writeSegment(X64Register.CS, new SegmentRegister(0, 0xFFFF_FFFF, (short) 8, (short) 0xA09B));
            g.engine.writeSegment(X64Register.FS, new SegmentRegister(0x1234_0000L, 0xFFFF_FFFF, (short) 0, (short) 0xC093));
            g.engine.writeTable(X64Register.IDTR, new TableRegister(0x5000, 0xFFF));
            g.engine.writeRegister(X64Register.CR4, 0x20);
            g.engine.writeRegister(X64Register.RFLAGS, 0x202);
            assertInstanceOf(VpExit.Halt.class, g.engine.run(), "the guest still runs");
            assertEquals((short) 8, g.engine.readSegment(X64Register.CS).selector());
            assertEquals(0x1234_0000L, g.engine.readSegment(X64Register.FS).base());
            assertEquals(0x1234_0000L, g.reg(X64Register.FS_BASE));
            assertEquals(new TableRegister(0x5000, 0xFFF), g.engine.readTable(X64Register.IDTR));
            assertEquals(0x20, g.reg(X64Register.CR4));
            assertEquals(0x202, g.reg(X64Register.RFLAGS) & 0x202, "IF as written");
        }
    }
}
