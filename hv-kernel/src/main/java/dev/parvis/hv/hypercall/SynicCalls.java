package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.abi.hv.HypercallResult;
import dev.parvis.abi.hv.input.ConnectPortInput;
import dev.parvis.abi.hv.input.CreatePortInput;
import dev.parvis.abi.hv.input.DeletePortInput;
import dev.parvis.abi.hv.input.DisconnectPortInput;
import dev.parvis.abi.hv.input.PortInfo;
import dev.parvis.abi.hv.input.PostMessageInput;
import dev.parvis.abi.hv.input.SignalEventInput;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.hv.synic.Connection;
import dev.parvis.hv.synic.Port;
import dev.parvis.hv.synic.SynicTarget;
import dev.parvis.hv.vp.VirtualProcessor;
import java.lang.foreign.ValueLayout;

/** Inter-partition communication: PostMessage, SignalEvent, Create/Delete/Connect/DisconnectPort. */
public final class SynicCalls {
    private final Hypervisor hv;

    public SynicCalls(Hypervisor hv) {
        this.hv = hv;
    }

    public void register(HypercallDispatcher d) {
        d.register(HvCallCode.POST_MESSAGE, HvPartitionPrivilege.POST_MESSAGES, this::postMessage);
        d.register(HvCallCode.SIGNAL_EVENT, HvPartitionPrivilege.SIGNAL_EVENTS, this::signalEvent);
        d.register(HvCallCode.CREATE_PORT, HvPartitionPrivilege.CREATE_PORT, this::createPort);
        d.register(HvCallCode.DELETE_PORT, HvPartitionPrivilege.CREATE_PORT, this::deletePort);
        d.register(HvCallCode.CONNECT_PORT, HvPartitionPrivilege.CONNECT_PORT, this::connectPort);
        d.register(HvCallCode.DISCONNECT_PORT, HvPartitionPrivilege.CONNECT_PORT, this::disconnectPort);
    }

    private HypercallResult postMessage(HypercallContext ctx) {
        int payloadSize = PostMessageInput.payloadSizeField(ctx.input());
        if (payloadSize < 0 || payloadSize > HvMessage.MAX_PAYLOAD) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        PostMessageInput in = PostMessageInput.read(ctx.input());
        int reserved = ctx.input().get(ValueLayout.JAVA_INT_UNALIGNED, 4);
        // Types with bit 31 set belong to the hypervisor; zero means "empty slot".
        if (reserved != 0 || in.messageType().raw() <= 0 || (in.connectionId() & ~0xFF_FFFF) != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        Connection c = hv.ports().connection(ctx.caller().id(), in.connectionId());
        if (c == null || c.port().type() != HvPortType.MESSAGE) {
            return HypercallContext.fail(HvStatus.INVALID_CONNECTION_ID);
        }
        SynicTarget target = target(c.port());
        if (target == null) {
            return HypercallContext.fail(HvStatus.INVALID_CONNECTION_ID);
        }
        HvMessage message = new HvMessage(in.messageType(), (byte) 0, c.port().portId(), in.payload());
        return HypercallContext.fail(target.postMessage(ctx.caller().id(), c.port().targetSint(), message));
    }

    private HypercallResult signalEvent(HypercallContext ctx) {
        SignalEventInput in = SignalEventInput.read(ctx.input());
        int reserved = ctx.input().get(ValueLayout.JAVA_SHORT_UNALIGNED, 6);
        if (reserved != 0 || (in.connectionId() & ~0xFF_FFFF) != 0) {
            return HypercallContext.fail(HvStatus.INVALID_HYPERCALL_INPUT);
        }
        Connection c = hv.ports().connection(ctx.caller().id(), in.connectionId());
        if (c == null || c.port().type() != HvPortType.EVENT) {
            return HypercallContext.fail(HvStatus.INVALID_CONNECTION_ID);
        }
        int flag = in.flagNumber() & 0xFFFF;
        if (flag >= c.port().flagCount()) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        SynicTarget target = target(c.port());
        if (target == null) {
            return HypercallContext.fail(HvStatus.INVALID_CONNECTION_ID);
        }
        target.signalEvent(c.port().targetSint(), c.port().baseFlagNumber() + flag);
        return ctx.ok();
    }

    private HypercallResult createPort(HypercallContext ctx) {
        CreatePortInput in = CreatePortInput.read(ctx.input());
        Partition owner = livePartition(in.portPartitionId());
        Partition connector = livePartition(in.connectionPartitionId());
        if (owner == null || connector == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        PortInfo info = in.portInfo();
        if (in.portVtl() != 0 || in.minConnectionVtl() != 0 || !validPortInfo(owner, info)) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        boolean event = info.portType() == HvPortType.EVENT;
        Port port = new Port(owner.id(), in.portId(), info.portType(), info.targetVp(), info.targetSint(),
                event ? info.baseFlagNumber() & 0xFFFF : 0, event ? info.flagCount() & 0xFFFF : 0, connector.id());
        return HypercallContext.fail(hv.ports().createPort(port));
    }

    private boolean validPortInfo(Partition owner, PortInfo info) {
        if (info.portType() != HvPortType.MESSAGE && info.portType() != HvPortType.EVENT) {
            return false;
        }
        if (info.targetSint() < 0 || info.targetSint() >= HvSynic.SINT_COUNT) {
            return false;
        }
        if (!owner.isRoot() && (info.targetVp() < 0 || info.targetVp() >= Partition.MAX_VPS)) {
            return false;
        }
        if (info.portType() == HvPortType.EVENT) {
            int base = info.baseFlagNumber() & 0xFFFF;
            int count = info.flagCount() & 0xFFFF;
            return count > 0 && base + count <= HvSynic.EVENT_FLAGS_COUNT;
        }
        return true;
    }

    private HypercallResult deletePort(HypercallContext ctx) {
        DeletePortInput in = DeletePortInput.read(ctx.input());
        return HypercallContext.fail(hv.ports().deletePort(in.portPartitionId(), in.portId()));
    }

    private HypercallResult connectPort(HypercallContext ctx) {
        ConnectPortInput in = ConnectPortInput.read(ctx.input());
        if (livePartition(in.connectionPartitionId()) == null || livePartition(in.portPartitionId()) == null) {
            return HypercallContext.fail(HvStatus.INVALID_PARTITION_ID);
        }
        if (in.connectionVtl() != 0) {
            return HypercallContext.fail(HvStatus.INVALID_PARAMETER);
        }
        return HypercallContext.fail(hv.ports().connect(in.connectionPartitionId(), in.connectionId(), in.portPartitionId(),
                in.portId(), in.connectionInfo().portType()));
    }

    private HypercallResult disconnectPort(HypercallContext ctx) {
        DisconnectPortInput in = DisconnectPortInput.read(ctx.input());
        return HypercallContext.fail(hv.ports().disconnect(in.connectionPartitionId(), in.connectionId()));
    }

    /** Where a port's traffic lands now: the root inbox, or the target VP's SynIC; null if it is gone. */
    private SynicTarget target(Port port) {
        if (port.partitionId() == hv.root().id()) {
            return hv.rootInbox(); // the root never goes away: no table lookup on the hot path
        }
        Partition owner = hv.partitions().get(port.partitionId());
        if (owner == null || owner.state() == PartitionState.DELETED) {
            return null;
        }
        if (owner.isRoot()) {
            return hv.rootInbox();
        }
        VirtualProcessor vp = owner.vp(port.targetVp());
        return vp == null ? null : vp.synic();
    }

    private Partition livePartition(long id) {
        Partition p = hv.partitions().get(id);
        return p == null || p.state() == PartitionState.DELETED ? null : p;
    }
}
