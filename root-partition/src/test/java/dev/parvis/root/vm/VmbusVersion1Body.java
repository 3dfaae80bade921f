package dev.parvis.root.vm;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.vmbus.server.VmbusServerState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A VMBUS section body in the first format, which saved.state files of format version 2 carried and
 * {@link dev.parvis.vmbus.server.VmbusStateCodec} still reads; no writer of it is left, so this one
 * lays it out as that writer did (SavedStateFile.putVmbus before the codec): {@code u32 version (1),
 * u32 protocol, u32 target VP, u32 target SINT, u32 offers sent, u32 offer count, u32 GPADL count,
 * u32 channel count}; per offer {@code u32 relid, u32 connection id, interface GUID, instance GUID};
 * per GPADL {@code u32 handle, u32 relid, u32 byte count, u32 byte offset, u32 PFN count, u32 0, u64
 * PFN...}; per open channel {@code u32 relid, u32 open id, u32 ring GPADL, u32 downstream page
 * offset, u32 target VP, u32 user data length, user data}. The format holds created GPADLs and open
 * channels only, so {@code s} must have nothing else.
 */
final class VmbusVersion1Body {
    private VmbusVersion1Body() {
    }

    /**
     * A state the format holds, for a VM of 8 pages and 2 VPs: relid 1 open (its ring GPADL 0x20 on
     * GPNs 3 and 4), relid 2 offered and closed with a GPADL 0x21 on GPN 5.
     */
    static VmbusServerState sample() {
        Guid type = Guid.parse("3b1a4a2c-0000-4000-8000-0000000000e0");
        VmbusServerState.Open open = new VmbusServerState.Open(1, 0x20, 1, 1, new byte[120], 0);
        return new VmbusServerState(VmbusServerState.CONNECTED, 0x00040000, 1, 2, true, "",
                List.of(new VmbusServerState.OfferEntry(1, type, Guid.parse("7a0c6d1e-0000-4000-8000-000000000001"), 0x2001,
                                false, false, false, new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.OPEN, open, null)),
                        new VmbusServerState.OfferEntry(2, type, Guid.parse("7a0c6d1e-0000-4000-8000-000000000002"), 0x2002,
                                false, false, false, null)),
                List.of(new VmbusServerState.GpadlEntry(0x20, 1, VmbusServerState.GpadlEntry.CREATED, new long[] {3, 4}, 2,
                                2 * 4096, 0, 1, false),
                        new VmbusServerState.GpadlEntry(0x21, 2, VmbusServerState.GpadlEntry.CREATED, new long[] {5}, 1,
                                100, 50, 0, false)),
                List.of(), List.of());
    }

    static byte[] of(VmbusServerState s) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        var open = s.offers().stream().filter(o -> o.channel() != null).toList();
        b.putInt(1).putInt(s.version()).putInt(s.targetVp()).putInt(s.targetSint()).putInt(s.offersSent() ? 1 : 0)
                .putInt(s.offers().size()).putInt(s.gpadls().size()).putInt(open.size());
        for (VmbusServerState.OfferEntry o : s.offers()) {
            b.putInt(o.relid()).putInt(o.connectionId()).put(o.interfaceType().toBytes()).put(o.instance().toBytes());
        }
        for (VmbusServerState.GpadlEntry g : s.gpadls()) {
            if (g.phase() != VmbusServerState.GpadlEntry.CREATED) {
                throw new IllegalArgumentException("version 1 holds created GPADLs only");
            }
            long[] gpns = g.pfns();
            b.putInt(g.handle()).putInt(g.relid()).putInt(g.byteCount()).putInt(g.byteOffset()).putInt(gpns.length).putInt(0);
            for (long gpn : gpns) {
                b.putLong(gpn);
            }
        }
        for (VmbusServerState.OfferEntry o : open) {
            VmbusServerState.Open c = o.channel().open();
            if (o.channel().phase() != VmbusServerState.ChannelEntry.OPEN) {
                throw new IllegalArgumentException("version 1 holds open channels only");
            }
            byte[] userData = c.userData();
            b.putInt(o.relid()).putInt(c.openId()).putInt(c.ringGpadl()).putInt(c.downstreamPageOffset()).putInt(c.targetVp())
                    .putInt(userData.length).put(userData);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}
