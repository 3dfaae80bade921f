package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.MemoryAccess;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.X64Register;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest code against a real libunicorn: exits, intercepts, memory rights. */
class UnicornEngineTest {
    private static final int RWX = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE | GuestMemoryRegion.EXECUTE;
    private static final int RW = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;

    static byte[] code(String hex) {
        return HexFormat.ofDelimiter(" ").parseHex(hex);
    }

    private static TestGuest guest(String hex) {
        return new TestGuest(TestGuest.backend(), code(hex));
    }

    @Test
    void decRcxLoopRunsToHaltWithRcxZero() {
        // mov rcx, 1000000; dec rcx; jnz -5; hlt
        try (TestGuest g = guest("48 C7 C1 40 42 0F 00 48 FF C9 75 FB F4")) {
            assertEquals(new VpExit.Halt(), g.engine.run());
            assertEquals(0, g.engine.readRegister(X64Register.RCX));
            assertEquals(TestGuest.CODE + 13, g.rip(), "RIP after the hlt");
        }
    }

    @Test
    void startsInLongModeWithPagingOffSoLinearIsPhysical() {
        try (TestGuest g = guest("F4")) {
            long cr0 = g.engine.readRegister(X64Register.CR0);
            assertEquals(0, cr0 & (1L << 31), "CR0.PG clear");
            assertEquals(1, cr0 & 1, "CR0.PE set");
            assertEquals(0x500, g.engine.readRegister(X64Register.EFER) & 0x500, "EFER.LME and LMA");
        }
    }

    @Test
    void vmcallExitsAsHypercallWithRipAtInstructionAndResumesAfterAdvance() {
        // nop; vmcall; mov eax, 7; vmmcall; hlt
        try (TestGuest g = guest("90 0F 01 C1 B8 07 00 00 00 0F 01 D9 F4")) {
            assertEquals(new VpExit.Hypercall(3), g.engine.run());
            assertEquals(TestGuest.CODE + 1, g.rip());
            g.engine.writeRegister(X64Register.RIP, g.rip() + 3);
            assertEquals(new VpExit.Hypercall(3), g.engine.run(), "vmmcall");
            assertEquals(TestGuest.CODE + 9, g.rip());
            assertEquals(7, g.engine.readRegister(X64Register.RAX));
            g.engine.writeRegister(X64Register.RIP, g.rip() + 3);
            assertEquals(new VpExit.Halt(), g.engine.run());
        }
    }

    @Test
    void cpuidLeaf40000000ReturnsWhatTheInterceptSupplies() {
        // mov eax, 0x40000000; xor ecx, ecx; cpuid; hlt
        try (TestGuest g = guest("B8 00 00 00 40 31 C9 0F A2 F4")) {
            assertEquals(new VpExit.Halt(), g.engine.run(), "cpuid does not exit");
            assertEquals(0x4000_0005L, g.engine.readRegister(X64Register.RAX));
            assertEquals(0x7263694DL, g.engine.readRegister(X64Register.RBX));
            assertEquals(0x666F736FL, g.engine.readRegister(X64Register.RCX));
            assertEquals(0x76482074L, g.engine.readRegister(X64Register.RDX));
            assertEquals(0, g.cpuidLeaves.getFirst()[1]);
        }
    }

    @Test
    void outToADeclinedPortEndsTheRunWithIoPortWrite() {
        // mov al, 0x5A; out 0x80, al; mov dx, 0x3F8; mov eax, 0xDEADBEEF; out dx, eax; hlt
        try (TestGuest g = guest("B0 5A E6 80 66 BA F8 03 B8 EF BE AD DE EF F4")) {
            assertEquals(new VpExit.IoPortWrite(0x80, 1, 0x5A), g.engine.run());
            // RIP is imprecise (end of block): the declined write is the last thing that happened.
            g.acceptPortOut = true;
            g.engine.writeRegister(X64Register.RIP, TestGuest.CODE + 4);
            assertEquals(new VpExit.Halt(), g.engine.run(), "accepted writes do not exit");
            long[] last = g.portOuts.getLast();
            assertEquals(0x3F8, last[0]);
            assertEquals(4, last[1]);
            assertEquals(0xDEADBEEFL, last[2]);
        }
    }

    @Test
    void inReadsThePortInValueIntoEax() {
        // mov dx, 0x60; in eax, dx; in al, 0x61; hlt
        try (TestGuest g = guest("66 BA 60 00 ED E4 61 F4")) {
            g.portInValue = 0x1234_5678L;
            assertEquals(new VpExit.Halt(), g.engine.run());
            assertEquals(0x1234_5678L, g.engine.readRegister(X64Register.RAX) & 0xffff_ff00L | 0x78);
            assertEquals(0x60, g.portIns.getFirst()[0]);
            assertEquals(4, g.portIns.getFirst()[1]);
            assertEquals(0x61, g.portIns.get(1)[0]);
            assertEquals(1, g.portIns.get(1)[1]);
        }
    }

    @Test
    void storeToUnmappedGpaExitsAtTheStoreAndLandsOnceThePageIsMapped() {
        // mov eax, 0x100000; mov rbx, 41; inc rbx; mov [rax], rbx; inc rbx; hlt
        try (TestGuest g = guest("B8 00 00 10 00 48 C7 C3 29 00 00 00 48 FF C3 48 89 18 48 FF C3 F4")) {
            assertEquals(new VpExit.MemoryViolation(TestGuest.EXTRA, MemoryAccess.WRITE, false), g.engine.run());
            assertEquals(TestGuest.CODE + 15, g.rip(), "RIP at the faulting store, not the block start");
            assertEquals(42, g.engine.readRegister(X64Register.RBX), "instructions before the store ran once");
            g.mapExtra(RW);
            assertEquals(new VpExit.Halt(), g.engine.run());
            assertEquals(42, g.extra.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(43, g.engine.readRegister(X64Register.RBX), "nothing ran twice");
        }
    }

    @Test
    void loadFromUnmappedGpaExitsAtTheLoadAndReadsOnceMapped() {
        // mov eax, 0x100000; inc rbx; mov rcx, [rax]; hlt
        try (TestGuest g = guest("B8 00 00 10 00 48 FF C3 48 8B 08 F4")) {
            assertEquals(new VpExit.MemoryViolation(TestGuest.EXTRA, MemoryAccess.READ, false), g.engine.run());
            assertEquals(TestGuest.CODE + 8, g.rip());
            g.extra.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
            g.mapExtra(RW);
            assertEquals(new VpExit.Halt(), g.engine.run());
            assertEquals(0x1122334455667788L, g.engine.readRegister(X64Register.RCX));
            assertEquals(1, g.engine.readRegister(X64Register.RBX));
        }
    }

    @Test
    void writeToAPageMadeReadOnlyExitsWithMappedTrue() {
        // mov eax, 0x100000; mov dword [rax], 0x11; hlt
        try (TestGuest g = guest("B8 00 00 10 00 C7 00 11 00 00 00 F4")) {
            g.mapExtra(RW);
            assertEquals(new VpExit.Halt(), g.engine.run(), "writable: store lands");
            assertEquals(0x11, g.extra.get(ValueLayout.JAVA_INT, 0));
            g.extra.set(ValueLayout.JAVA_INT, 0, 0);
            g.mapExtra(GuestMemoryRegion.READ);
            g.engine.writeRegister(X64Register.RIP, TestGuest.CODE);
            assertEquals(new VpExit.MemoryViolation(TestGuest.EXTRA, MemoryAccess.WRITE, true), g.engine.run(),
                    "the rights change takes effect despite the cached translation");
            assertEquals(0, g.extra.get(ValueLayout.JAVA_INT, 0));
            assertEquals(TestGuest.CODE + 5, g.rip());
            g.mapExtra(RW);
            assertEquals(new VpExit.Halt(), g.engine.run());
            assertEquals(0x11, g.extra.get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void unmappingAPageTakesEffectOnTheNextAccess() {
        try (TestGuest g = guest("B8 00 00 10 00 C7 00 11 00 00 00 F4")) {
            g.mapExtra(RW);
            assertEquals(new VpExit.Halt(), g.engine.run());
            g.engine.applyMemoryMap(List.of(g.ramRegion()));
            g.engine.writeRegister(X64Register.RIP, TestGuest.CODE);
            assertEquals(new VpExit.MemoryViolation(TestGuest.EXTRA, MemoryAccess.WRITE, false), g.engine.run());
        }
    }

    @Test
    void fetchFromANonExecutablePageIsAnExecuteViolation() {
        // mov eax, 0x100000; jmp rax
        try (TestGuest g = guest("B8 00 00 10 00 FF E0")) {
            g.extra.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xF4);
            g.mapExtra(RW);
            assertEquals(new VpExit.MemoryViolation(TestGuest.EXTRA, MemoryAccess.EXECUTE, true), g.engine.run());
            assertEquals(TestGuest.EXTRA, g.rip());
            g.mapExtra(RWX);
            assertEquals(new VpExit.Halt(), g.engine.run());
        }
    }

    @Test
    void ud2IsAnInvalidOpcodeExitWithRipAtTheInstruction() {
        try (TestGuest g = guest("90 0F 0B F4")) {
            assertEquals(new VpExit.InvalidOpcode(TestGuest.CODE + 1), g.engine.run());
            assertEquals(TestGuest.CODE + 1, g.rip());
        }
    }

    @Test
    void int3IsExceptionThreeWithRipAfterTheInstruction() {
        try (TestGuest g = guest("90 CC F4")) {
            VpExit.Exception e = assertInstanceOf(VpExit.Exception.class, g.engine.run());
            assertEquals(3, e.vector());
            assertEquals(TestGuest.CODE + 2, g.rip(), "trap: RIP after int3");
        }
    }

    @Test
    void divideByZeroIsExceptionZeroWithRipAtTheDivAndNoDoubleFault() {
        // xor ecx, ecx; div rcx; hlt
        try (TestGuest g = guest("31 C9 48 F7 F1 F4")) {
            VpExit.Exception e = assertInstanceOf(VpExit.Exception.class, g.engine.run());
            assertEquals(0, e.vector());
            assertEquals(TestGuest.CODE + 2, g.rip(), "fault: RIP at the div");
            for (int i = 0; i < 5; i++) {
                VpExit again = g.engine.run();
                assertEquals(0, assertInstanceOf(VpExit.Exception.class, again).vector(), "run " + i + ": " + again);
                assertEquals(TestGuest.CODE + 2, g.rip());
            }
        }
    }

    @Test
    void softwareInterruptIsExceptionWithItsVector() {
        try (TestGuest g = guest("CD 21 F4")) {
            VpExit.Exception e = assertInstanceOf(VpExit.Exception.class, g.engine.run());
            assertEquals(0x21, e.vector());
            assertTrue(e.detail().contains("0x1002"), e.detail());
            assertEquals(TestGuest.CODE + 2, g.rip(), "trap: RIP after int n");
        }
    }

    @Test
    void registersRoundTrip() {
        try (TestGuest g = guest("F4")) {
            X64Register[] gprs = {X64Register.RAX, X64Register.RBX, X64Register.R8, X64Register.R15,
                    X64Register.CR3, X64Register.FS_BASE, X64Register.KERNEL_GS_BASE};
            for (int i = 0; i < gprs.length; i++) {
                g.engine.writeRegister(gprs[i], 0x1000L * (i + 1));
            }
            long[] values = new long[gprs.length];
            g.engine.readRegisters(gprs, values);
            for (int i = 0; i < gprs.length; i++) {
                assertEquals(0x1000L * (i + 1), values[i], gprs[i].name());
            }
            assertEquals(2, g.engine.readRegister(X64Register.RFLAGS) & 2, "RFLAGS bit 1 is always set");
        }
    }

    @Test
    void descriptorTablesAndSystemSegmentsRoundTripThroughUcX86Mmr() {
        try (TestGuest g = guest("F4")) {
            g.engine.writeTable(X64Register.GDTR, new TableRegister(0x5000, 0x2F));
            g.engine.writeTable(X64Register.IDTR, new TableRegister(0x6000, 0xFFF));
            assertEquals(new TableRegister(0x5000, 0x2F), g.engine.readTable(X64Register.GDTR));
            assertEquals(new TableRegister(0x6000, 0xFFF), g.engine.readTable(X64Register.IDTR));
            var tr = new SegmentRegister(0x7000, 0x67, (short) 0x28, (short) 0x8B);
            g.engine.writeSegment(X64Register.TR, tr);
            assertEquals(tr, g.engine.readSegment(X64Register.TR));
        }
    }

    @Test
    void dataSegmentsReportSelectorAndFsGsBase() {
        try (TestGuest g = guest("F4")) {
            g.engine.writeRegister(X64Register.FS_BASE, 0xABC000);
            SegmentRegister fs = g.engine.readSegment(X64Register.FS);
            assertEquals(0xABC000, fs.base());
            assertEquals(UnicornSegments.FLAT_DATA, fs.attributes());
            assertEquals(UnicornSegments.LONG_MODE_CODE, g.engine.readSegment(X64Register.CS).attributes());
        }
    }
}
