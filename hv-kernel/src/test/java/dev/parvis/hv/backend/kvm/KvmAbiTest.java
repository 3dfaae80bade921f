package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every ioctl number, constant, struct size and field offset of {@link KvmAbi} against gcc and {@code <linux/kvm.h>}. */
class KvmAbiTest {
    @TempDir
    Path dir;

    @Test
    void gccAndLinuxKvmHeaderAgreeWithEveryNumberAndOffset() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("KVM_GET_API_VERSION", KvmAbi.GET_API_VERSION);
        java.put("KVM_CREATE_VM", KvmAbi.CREATE_VM);
        java.put("KVM_CHECK_EXTENSION", KvmAbi.CHECK_EXTENSION);
        java.put("KVM_GET_VCPU_MMAP_SIZE", KvmAbi.GET_VCPU_MMAP_SIZE);
        java.put("KVM_GET_SUPPORTED_CPUID", KvmAbi.GET_SUPPORTED_CPUID);
        java.put("KVM_CREATE_VCPU", KvmAbi.CREATE_VCPU);
        java.put("KVM_SET_USER_MEMORY_REGION", KvmAbi.SET_USER_MEMORY_REGION);
        java.put("KVM_RUN", KvmAbi.RUN);
        java.put("KVM_GET_REGS", KvmAbi.GET_REGS);
        java.put("KVM_SET_REGS", KvmAbi.SET_REGS);
        java.put("KVM_GET_SREGS", KvmAbi.GET_SREGS);
        java.put("KVM_SET_SREGS", KvmAbi.SET_SREGS);
        java.put("KVM_SET_CPUID2", KvmAbi.SET_CPUID2);
        java.put("KVM_ENABLE_CAP", KvmAbi.ENABLE_CAP);
        java.put("KVM_X86_SET_MSR_FILTER", KvmAbi.SET_MSR_FILTER);
        java.put("KVM_API_VERSION", (long) KvmAbi.API_VERSION);
        java.put("KVM_CAP_USER_MEMORY", (long) KvmAbi.CAP_USER_MEMORY);
        java.put("KVM_CAP_SYNC_REGS", (long) KvmAbi.CAP_SYNC_REGS);
        java.put("KVM_CAP_READONLY_MEM", (long) KvmAbi.CAP_READONLY_MEM);
        java.put("KVM_CAP_IMMEDIATE_EXIT", (long) KvmAbi.CAP_IMMEDIATE_EXIT);
        java.put("KVM_CAP_X86_USER_SPACE_MSR", (long) KvmAbi.CAP_X86_USER_SPACE_MSR);
        java.put("KVM_CAP_X86_MSR_FILTER", (long) KvmAbi.CAP_X86_MSR_FILTER);
        java.put("KVM_CAP_DISABLE_QUIRKS2", (long) KvmAbi.CAP_DISABLE_QUIRKS2);
        java.put("KVM_SYNC_X86_REGS", (long) KvmAbi.SYNC_X86_REGS);
        java.put("KVM_X86_QUIRK_FIX_HYPERCALL_INSN", KvmAbi.QUIRK_FIX_HYPERCALL_INSN);
        java.put("KVM_MEM_READONLY", (long) KvmAbi.MEM_READONLY);
        java.put("KVM_MSR_EXIT_REASON_FILTER", (long) KvmAbi.MSR_EXIT_REASON_FILTER);
        java.put("KVM_EXIT_IO", (long) KvmAbi.EXIT_IO);
        java.put("KVM_EXIT_HLT", (long) KvmAbi.EXIT_HLT);
        java.put("KVM_EXIT_MMIO", (long) KvmAbi.EXIT_MMIO);
        java.put("KVM_EXIT_SHUTDOWN", (long) KvmAbi.EXIT_SHUTDOWN);
        java.put("KVM_EXIT_FAIL_ENTRY", (long) KvmAbi.EXIT_FAIL_ENTRY);
        java.put("KVM_EXIT_INTR", (long) KvmAbi.EXIT_INTR);
        java.put("KVM_EXIT_INTERNAL_ERROR", (long) KvmAbi.EXIT_INTERNAL_ERROR);
        java.put("KVM_EXIT_X86_RDMSR", (long) KvmAbi.EXIT_X86_RDMSR);
        java.put("KVM_EXIT_X86_WRMSR", (long) KvmAbi.EXIT_X86_WRMSR);
        java.put("KVM_EXIT_IO_OUT", (long) KvmAbi.EXIT_IO_OUT);
        java.put("KVM_INTERNAL_ERROR_EMULATION", (long) KvmAbi.INTERNAL_ERROR_EMULATION);
        layouts(java);
        runOffsets(java);
        Map<String, Long> c = compileAndRun(java);
        Map<String, String> mismatches = new TreeMap<>();
        java.forEach((name, value) -> {
            if (!value.equals(c.get(name))) {
                mismatches.put(name, "java " + value + ", C " + c.get(name));
            }
        });
        assertTrue(mismatches.isEmpty(), "mismatches: " + mismatches);
        assertEquals(java.size(), c.size());
    }

    private static void layouts(Map<String, Long> into) {
        Map<String, StructLayout> structs = Map.of("kvm_segment", KvmAbi.SEGMENT, "kvm_dtable", KvmAbi.DTABLE, "kvm_regs", KvmAbi.REGS,
                "kvm_sregs", KvmAbi.SREGS, "kvm_userspace_memory_region", KvmAbi.MEMORY_REGION, "kvm_cpuid_entry2", KvmAbi.CPUID_ENTRY,
                "kvm_cpuid2", KvmAbi.CPUID2, "kvm_enable_cap", KvmAbi.ENABLE_CAP_ARGS, "kvm_msr_filter_range", KvmAbi.MSR_FILTER_RANGE,
                "kvm_msr_filter", KvmAbi.MSR_FILTER);
        structs.forEach((name, layout) -> {
            into.put("sizeof " + name, layout.byteSize());
            for (var member : layout.memberLayouts()) {
                member.name().filter(n -> !n.startsWith("pad")).ifPresent(n -> into.put(name + "." + n, layout.byteOffset(
                        java.lang.foreign.MemoryLayout.PathElement.groupElement(n))));
            }
        });
    }

    private static void runOffsets(Map<String, Long> into) {
        into.put("run immediate_exit", KvmAbi.RUN_IMMEDIATE_EXIT);
        into.put("run exit_reason", KvmAbi.RUN_EXIT_REASON);
        into.put("run io.direction", KvmAbi.RUN_IO_DIRECTION);
        into.put("run io.size", KvmAbi.RUN_IO_SIZE);
        into.put("run io.port", KvmAbi.RUN_IO_PORT);
        into.put("run io.count", KvmAbi.RUN_IO_COUNT);
        into.put("run io.data_offset", KvmAbi.RUN_IO_DATA_OFFSET);
        into.put("run mmio.phys_addr", KvmAbi.RUN_MMIO_PHYS_ADDR);
        into.put("run mmio.data", KvmAbi.RUN_MMIO_DATA);
        into.put("run mmio.len", KvmAbi.RUN_MMIO_LEN);
        into.put("run mmio.is_write", KvmAbi.RUN_MMIO_IS_WRITE);
        into.put("run internal.suberror", KvmAbi.RUN_INTERNAL_SUBERROR);
        into.put("run fail_entry.hardware_entry_failure_reason", KvmAbi.RUN_FAIL_ENTRY_REASON);
        into.put("run msr.error", KvmAbi.RUN_MSR_ERROR);
        into.put("run msr.reason", KvmAbi.RUN_MSR_REASON);
        into.put("run msr.index", KvmAbi.RUN_MSR_INDEX);
        into.put("run msr.data", KvmAbi.RUN_MSR_DATA);
        into.put("run kvm_valid_regs", KvmAbi.RUN_VALID_REGS);
        into.put("run kvm_dirty_regs", KvmAbi.RUN_DIRTY_REGS);
        into.put("run s.regs.regs", KvmAbi.RUN_SYNC_REGS);
        into.put("run s.regs.sregs", KvmAbi.RUN_SYNC_SREGS);
    }

    private Map<String, Long> compileAndRun(Map<String, Long> names) throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\n#define P(n, v) printf(\"%s=%llu\\n\", n, (unsigned long long)(v))\nint main(void) {\n");
        for (String name : names.keySet()) {
            c.append("  P(\"").append(name).append("\", ").append(expression(name)).append(");\n");
        }
        c.append("  return 0;\n}\n");
        Files.writeString(dir.resolve("abi.c"), c);
        run("gcc", "-std=gnu11", "-Wall", "-Werror", "abi.c", "-o", "abi");
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : run(dir.resolve("abi").toString()).split("\n")) {
            int eq = line.lastIndexOf('=');
            out.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
        return out;
    }

    private static String expression(String name) {
        if (name.startsWith("sizeof ")) {
            return "sizeof(struct " + name.substring(7) + ")";
        }
        if (name.startsWith("run ")) {
            return "offsetof(struct kvm_run, " + name.substring(4) + ")";
        }
        int dot = name.indexOf('.');
        return dot > 0 ? "offsetof(struct " + name.substring(0, dot) + ", " + name.substring(dot + 1) + ")" : name;
    }

    private String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
