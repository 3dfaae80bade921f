package dev.parvis.abi.hv;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static dev.parvis.abi.hv.HypercallSpec.Kind.REP;
import static dev.parvis.abi.hv.HypercallSpec.Kind.SIMPLE;

/**
 * The table of hypercalls Parvis implements (reference sections 3.1-3.4). Sizes match the records
 * of {@code dev.parvis.abi.hv.input}. Every call may be issued slow; "fast" is only listed where
 * the whole input fits in RDX:R8 and there is no output, since fast output needs XMM registers.
 * HvCallPostDebugData's output is 8 bytes (pending_count u32 + reserved u32) to keep the 8-byte
 * output granularity of the slow-call rules.
 */
public final class HypercallSpecs {
    private static final Map<HvCallCode, HypercallSpec> TABLE = build();

    private HypercallSpecs() {
    }

    public static Optional<HypercallSpec> lookup(HvCallCode code) {
        return Optional.ofNullable(TABLE.get(code));
    }

    public static Collection<HypercallSpec> all() {
        return TABLE.values();
    }

    private static Map<HvCallCode, HypercallSpec> build() {
        Map<HvCallCode, HypercallSpec> t = new LinkedHashMap<>();
        guestCalls(t);
        partitionCalls(t);
        memoryAndVpCalls(t);
        portCalls(t);
        return Collections.unmodifiableMap(t);
    }

    private static void guestCalls(Map<HvCallCode, HypercallSpec> t) {
        add(t, slow(HvCallCode.POST_MESSAGE, "HvCallPostMessage", false, 256, 0));
        add(t, fast(HvCallCode.SIGNAL_EVENT, "HvCallSignalEvent", false, 8));
        add(t, rep(HvCallCode.GET_VP_REGISTERS, "HvCallGetVpRegisters", false, 16, 4, 0, 16));
        add(t, rep(HvCallCode.SET_VP_REGISTERS, "HvCallSetVpRegisters", false, 16, 32, 0, 0));
        add(t, slow(HvCallCode.POST_DEBUG_DATA, "HvCallPostDebugData", false, 4096, 8));
        add(t, slow(HvCallCode.RETRIEVE_DEBUG_DATA, "HvCallRetrieveDebugData", false, 16, 4096));
        add(t, fast(HvCallCode.NOTIFY_LONG_SPIN_WAIT, "HvCallNotifyLongSpinWait", false, 8));
        add(t, fast(HvCallCode.RESET_DEBUG_SESSION, "HvCallResetDebugSession", false, 8));
        // Any partition may ask its own id; only foreign ids need the AccessPartitionId privilege.
        add(t, slow(HvCallCode.GET_PARTITION_ID, "HvCallGetPartitionId", false, 0, 8));
    }

    private static void partitionCalls(Map<HvCallCode, HypercallSpec> t) {
        add(t, slow(HvCallCode.CREATE_PARTITION, "HvCallCreatePartition", true, 56, 8));
        add(t, fast(HvCallCode.INITIALIZE_PARTITION, "HvCallInitializePartition", true, 8));
        add(t, fast(HvCallCode.FINALIZE_PARTITION, "HvCallFinalizePartition", true, 8));
        add(t, fast(HvCallCode.DELETE_PARTITION, "HvCallDeletePartition", true, 8));
        add(t, slow(HvCallCode.GET_PARTITION_PROPERTY, "HvCallGetPartitionProperty", true, 16, 8));
        add(t, slow(HvCallCode.SET_PARTITION_PROPERTY, "HvCallSetPartitionProperty", true, 24, 0));
        add(t, slow(HvCallCode.INSTALL_INTERCEPT, "HvCallInstallIntercept", true, 24, 0));
        // hv_input_map_stats_page / hv_input_unmap_stats_page and hv_output_map_stats_page (hvhdk_mini.h).
        add(t, slow(HvCallCode.MAP_STATS_PAGE, "HvCallMapStatsPage", true, 24, 8));
        add(t, slow(HvCallCode.UNMAP_STATS_PAGE, "HvCallUnmapStatsPage", true, 24, 0));
    }

    private static void memoryAndVpCalls(Map<HvCallCode, HypercallSpec> t) {
        add(t, rep(HvCallCode.DEPOSIT_MEMORY, "HvCallDepositMemory", true, 8, 8, 0, 0));
        add(t, rep(HvCallCode.WITHDRAW_MEMORY, "HvCallWithdrawMemory", true, 16, 0, 0, 8));
        add(t, rep(HvCallCode.MAP_GPA_PAGES, "HvCallMapGpaPages", true, 24, 8, 0, 0));
        add(t, rep(HvCallCode.UNMAP_GPA_PAGES, "HvCallUnmapGpaPages", true, 24, 0, 0, 0));
        add(t, slow(HvCallCode.CREATE_VP, "HvCallCreateVp", true, 40, 0));
        add(t, slow(HvCallCode.START_VIRTUAL_PROCESSOR, "HvCallStartVirtualProcessor", false, 240, 0));
        add(t, fast(HvCallCode.DELETE_VP, "HvCallDeleteVp", true, 16));
        add(t, slow(HvCallCode.READ_GPA, "HvCallReadGpa", true, 32, 24));
        add(t, slow(HvCallCode.WRITE_GPA, "HvCallWriteGpa", true, 48, 8));
        // The PFN list of the page-sized state types is the variable header.
        add(t, withVariableHeader(slow(HvCallCode.GET_VP_STATE, "HvCallGetVpState", true, 40, 0)));
        add(t, withVariableHeader(slow(HvCallCode.SET_VP_STATE, "HvCallSetVpState", true, 40, 0)));
    }

    private static void portCalls(Map<HvCallCode, HypercallSpec> t) {
        add(t, slow(HvCallCode.CREATE_PORT, "HvCallCreatePort", true, 56, 0));
        add(t, fast(HvCallCode.DELETE_PORT, "HvCallDeletePort", true, 16));
        add(t, slow(HvCallCode.CONNECT_PORT, "HvCallConnectPort", true, 72, 0));
        add(t, fast(HvCallCode.DISCONNECT_PORT, "HvCallDisconnectPort", true, 16));
    }

    private static void add(Map<HvCallCode, HypercallSpec> t, HypercallSpec spec) {
        if (t.putIfAbsent(spec.code(), spec) != null) {
            throw new IllegalStateException("duplicate hypercall " + spec.code());
        }
    }

    private static HypercallSpec slow(HvCallCode code, String name, boolean root, int in, int out) {
        return new HypercallSpec(code, name, SIMPLE, false, true, root, in, 0, out, 0, false);
    }

    private static HypercallSpec withVariableHeader(HypercallSpec s) {
        return new HypercallSpec(s.code(), s.name(), s.kind(), s.fastAllowed(), s.slowAllowed(), s.rootOnly(),
                s.inputHeaderSize(), s.inputElementSize(), s.outputHeaderSize(), s.outputElementSize(), true);
    }

    /** Fast-capable calls may still be issued slow with the same input in memory. */
    private static HypercallSpec fast(HvCallCode code, String name, boolean root, int in) {
        return new HypercallSpec(code, name, SIMPLE, true, true, root, in, 0, 0, 0, false);
    }

    private static HypercallSpec rep(HvCallCode code, String name, boolean root,
                                     int inHeader, int inElement, int outHeader, int outElement) {
        return new HypercallSpec(code, name, REP, false, true, root, inHeader, inElement, outHeader, outElement, false);
    }
}
