package dev.parvis.abi.cheader;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvCpuid;
import dev.parvis.abi.hv.HvSyntheticMsr;
import dev.parvis.abi.hv.HvInterceptType;
import dev.parvis.abi.hv.HvMapGpaFlags;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvPartitionProperty;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.HypercallSpec;
import dev.parvis.abi.hv.input.*;
import dev.parvis.abi.ic.*;
import dev.parvis.abi.hv.message.*;
import dev.parvis.abi.vmbus.*;
import java.lang.foreign.StructLayout;
import java.util.List;
import java.util.Locale;

/**
 * What goes into the header: the classes whose constants become macros (with their prefix) and
 * the records whose layouts become structs, in dependency order.
 *
 * <p>Struct naming rule: records of {@code hv.input} named {@code XxxInput} or {@code XxxHeader}
 * become {@code hv_input_xxx}, {@code XxxOutput} becomes {@code hv_output_xxx}; every other record
 * becomes {@code hv_<snake_case>} (a leading "Hv" dropped), boot records {@code parvis_<snake>} and VMBus
 * records {@code vmbus_<snake>}; IC records {@code ic_<snake>} with a leading "Ic" and a trailing
 * "Message" dropped ({@code HeartbeatMessage} is {@code ic_heartbeat}).
 */
public final class HeaderCatalog {
    /** A class whose public static final integral constants become {@code #define prefix+NAME}. */
    public record ConstantSource(Class<?> type, String prefix) {
    }

    private static final List<ConstantSource> CONSTANTS = List.of(
            new ConstantSource(HvCallCode.class, "HVCALL_"),
            new ConstantSource(HvStatus.class, "HV_STATUS_"),
            new ConstantSource(HypercallControl.class, "HV_HYPERCALL_"),
            new ConstantSource(HypercallResult.class, "HV_HYPERCALL_"),
            new ConstantSource(HypercallSpec.class, "HV_HYPERCALL_"),
            new ConstantSource(HvConstants.class, "HV_"),
            new ConstantSource(HvRegisterName.class, "HV_REGISTER_"),
            new ConstantSource(HvMessageType.class, "HV_MESSAGE_TYPE_"),
            new ConstantSource(HvMessage.class, "HV_MESSAGE_"),
            new ConstantSource(HvSynic.class, "HV_SYNIC_"),
            new ConstantSource(HvCpuid.class, "HV_CPUID_"),
            new ConstantSource(HvSyntheticMsr.class, "HV_X64_MSR_"),
            new ConstantSource(HvPartitionPrivilege.class, "HV_PRIVILEGE_"),
            new ConstantSource(HvPortType.class, "HV_PORT_TYPE_"),
            new ConstantSource(HvMapGpaFlags.class, "HV_MAP_GPA_"),
            new ConstantSource(HvInterceptType.class, "HV_INTERCEPT_TYPE_"),
            new ConstantSource(HvPartitionProperty.class, "HV_PARTITION_PROPERTY_"),
            new ConstantSource(GpaAccessResult.class, "HV_GPA_ACCESS_"),
            new ConstantSource(PostMessageInput.class, "HV_POST_MESSAGE_"),
            new ConstantSource(PostDebugDataInput.class, "HV_POST_DEBUG_DATA_"),
            new ConstantSource(RetrieveDebugDataInput.class, "HV_RETRIEVE_DEBUG_DATA_"),
            new ConstantSource(ResetDebugSessionInput.class, "HV_RESET_DEBUG_SESSION_"),
            new ConstantSource(CreatePartitionInput.class, "HV_CREATE_PARTITION_"),
            new ConstantSource(ReadGpaInput.class, "HV_READ_GPA_"),
            new ConstantSource(InterceptAccessType.class, "HV_INTERCEPT_ACCESS_TYPE_"),
            new ConstantSource(MemoryInterceptMessage.class, "HV_MEMORY_INTERCEPT_"),
            new ConstantSource(IoPortInterceptMessage.class, "HV_IO_PORT_INTERCEPT_"),
            new ConstantSource(BootInfo.class, "PARVIS_BOOT_INFO_"),
            new ConstantSource(BootProtocol.class, "PARVIS_"),
            new ConstantSource(ChannelMessageType.class, "VMBUS_MSG_"),
            new ConstantSource(VmbusVersion.class, "VMBUS_VERSION_"),
            new ConstantSource(PacketType.class, "VMBUS_PACKET_TYPE_"),
            new ConstantSource(VmbusConstants.class, "VMBUS_"),
            new ConstantSource(IcMessageType.class, "IC_MSG_"),
            new ConstantSource(IcConstants.class, "IC_"));

    /** A class whose public static final Guid constants become {@code #define prefix+NAME+suffix {...}}. */
    public record GuidSource(Class<?> type, String prefix, String suffix) {
    }

    private static final List<GuidSource> GUIDS = List.of(new GuidSource(DeviceClass.class, "VMBUS_DEVICE_", "_GUID"));

    /** Nested structs come before the structs that embed them. */
    private static final List<Class<? extends Record>> STRUCTS = List.of(
            HvMessage.class,
            PostMessageInput.class, SignalEventInput.class,
            VpRegistersHeader.class, RegisterValue.class, RegisterAssoc.class,
            PostDebugDataInput.class, PostDebugDataOutput.class,
            RetrieveDebugDataInput.class, RetrieveDebugDataOutput.class,
            NotifyLongSpinWaitInput.class, ResetDebugSessionInput.class,
            CreatePartitionInput.class, PartitionIdValue.class,
            GetPartitionPropertyInput.class, PartitionPropertyValue.class, SetPartitionPropertyInput.class,
            DepositMemoryHeader.class, WithdrawMemoryHeader.class, MapGpaPagesHeader.class, UnmapGpaPagesHeader.class,
            InstallInterceptInput.class, CreateVpInput.class, DeleteVpInput.class,
            PortInfo.class, CreatePortInput.class, DeletePortInput.class,
            ConnectionInfo.class, ConnectPortInput.class, DisconnectPortInput.class,
            ReadGpaInput.class, ReadGpaOutput.class, WriteGpaInput.class, WriteGpaOutput.class,
            SegmentValue.class, TableValue.class, InitialVpContext.class, StartVirtualProcessorInput.class,
            InterceptHeader.class, MemoryInterceptMessage.class, IoPortInterceptMessage.class,
            MsrInterceptMessage.class, CpuidInterceptMessage.class, UnrecoverableExceptionMessage.class,
            BootInfo.class,
            Guid.class, ChannelMessageHeader.class,
            OfferChannel.class, RescindChannelOffer.class, RequestOffers.class, AllOffersDelivered.class,
            OpenChannel.class, OpenChannelResult.class, CloseChannel.class,
            GpadlHeader.class, GpaRange.class, GpadlBody.class, GpadlCreated.class, GpadlTeardown.class, GpadlTorndown.class,
            RelidReleased.class, InitiateContact.class, VersionResponse.class, Unload.class, UnloadResponse.class,
            ModifyChannel.class, ModifyChannelResponse.class,
            RingControl.class, PacketDescriptor.class, GpaDirectHeader.class, TransferPageHeader.class,
            TransferPageRange.class, PipeHeader.class,
            IcVersion.class, IcMessageHeader.class, IcNegotiate.class, HeartbeatMessage.class, ShutdownMessage.class,
            TimesyncMessage.class, KvpHeader.class, KvpValue.class, KvpEnumerate.class, KvpDelete.class,
            FcopyHeader.class, FcopyStart.class, FcopyWrite.class);

    private HeaderCatalog() {
    }

    public static List<ConstantSource> constantSources() {
        return CONSTANTS;
    }

    public static List<GuidSource> guidSources() {
        return GUIDS;
    }

    public static List<CStruct> structs() {
        return STRUCTS.stream().map(t -> new CStruct(structName(t), t, layoutOf(t))).toList();
    }

    public static String structName(Class<?> type) {
        String simple = type.getSimpleName();
        if (type.getPackageName().endsWith(".vmbus")) {
            return "vmbus_" + snake(simple);
        }
        if (type.getPackageName().endsWith(".ic")) {
            String base = simple.startsWith("Ic") ? simple.substring(2) : simple;
            return "ic_" + snake(base.endsWith("Message") && !base.equals("MessageHeader") ? strip(base, "Message") : base);
        }
        if (type.getPackageName().endsWith(".boot")) {
            return "parvis_" + snake(simple);
        }
        if (type.getPackageName().endsWith(".input")) {
            for (String suffix : List.of("Input", "Header")) {
                if (simple.endsWith(suffix)) {
                    return "hv_input_" + snake(strip(simple, suffix));
                }
            }
            if (simple.endsWith("Output")) {
                return "hv_output_" + snake(strip(simple, "Output"));
            }
        }
        return "hv_" + snake(simple.startsWith("Hv") ? simple.substring(2) : simple);
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static String strip(String s, String suffix) {
        return s.substring(0, s.length() - suffix.length());
    }

    private static StructLayout layoutOf(Class<?> type) {
        try {
            return (StructLayout) type.getField("LAYOUT").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " has no public static LAYOUT", e);
        }
    }
}
