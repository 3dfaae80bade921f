package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.KvpDelete;
import dev.parvis.abi.ic.KvpEnumerate;
import dev.parvis.abi.ic.KvpHeader;
import dev.parvis.abi.ic.KvpValue;
import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KVP IC (reference section 9.7): the host sets, gets, deletes and enumerates items in the guest's
 * pools ({@code IcConstants.KVP_POOL_*}). After negotiation it reads the guest's intrinsic items
 * (the AUTO pool) by enumerating until the guest answers anything but S_OK (NO_MORE_ITEMS).
 * Every call blocks its caller until the guest answers; calls are serialized per channel.
 */
public final class KvpService extends IcService {
    private static final Logger LOG = LoggerFactory.getLogger(KvpService.class);
    /** OpenVMM's KVP IC instance id. */
    public static final Guid INSTANCE = Guid.parse("242ff919-07db-4180-9c2e-b86cb68c8c55");
    /** No guest pool is enumerated past this many items. */
    public static final int MAX_ITEMS = 1024;

    private volatile Map<String, String> intrinsic = Map.of();

    public KvpService() {
        super("kvp", DeviceClass.KVP, INSTANCE, IcMessageType.KVP_EXCHANGE, IcVersions.of(IcVersions.KVP));
    }

    @Override
    protected void onNegotiated(IcChannel channel, IcVersions.Negotiated versions) {
        try {
            refreshGuestIntrinsicItems();
        } catch (IcException e) {
            LOG.debug("kvp: reading the guest's intrinsic items failed: {}", e.getMessage());
        }
    }

    /** The guest's intrinsic (AUTO pool) items as last read; empty before the first read. */
    public Map<String, String> guestIntrinsicItems() {
        return intrinsic;
    }

    /** Reads the AUTO pool again. */
    public Map<String, String> refreshGuestIntrinsicItems() throws IcException {
        Map<String, String> items = new LinkedHashMap<>();
        for (KvpValue v : enumerate(IcConstants.KVP_POOL_AUTO)) {
            items.put(v.keyString(), v.valueString());
        }
        intrinsic = java.util.Collections.unmodifiableMap(items);
        return intrinsic;
    }

    public IcResult set(byte pool, String key, String value) throws IcException {
        KvpValue item = KvpValue.ofString(key, value);
        return call(IcConstants.KVP_OP_SET, pool, KvpValue.SIZE, item::write).result();
    }

    /** The item's value; empty when the guest answers anything but S_OK (typically NOT_FOUND). */
    public Optional<String> get(byte pool, String key) throws IcException {
        KvpValue item = KvpValue.ofKey(key);
        IcResponse r = call(IcConstants.KVP_OP_GET, pool, KvpValue.SIZE, item::write);
        if (!r.result().succeeded()) {
            return Optional.empty();
        }
        return Optional.of(KvpValue.read(body(r, KvpValue.SIZE)).valueString());
    }

    public IcResult delete(byte pool, String key) throws IcException {
        KvpDelete d = KvpDelete.of(key);
        return call(IcConstants.KVP_OP_DELETE, pool, KvpDelete.SIZE, d::write).result();
    }

    /** Every item of {@code pool}, by index from 0 until the guest answers anything but S_OK. */
    public List<KvpValue> enumerate(byte pool) throws IcException {
        List<KvpValue> out = new ArrayList<>();
        for (int index = 0; ; index++) {
            if (index == MAX_ITEMS) {
                degrade("KVP pool " + pool + " enumerates past " + MAX_ITEMS + " items");
                throw new IcException("KVP pool " + pool + " enumerates past " + MAX_ITEMS + " items");
            }
            KvpEnumerate request = new KvpEnumerate(index, new KvpValue(0, 0, 0, new byte[0], new byte[0]));
            IcResponse r = call(IcConstants.KVP_OP_ENUMERATE, pool, KvpEnumerate.SIZE, request::write);
            if (!r.result().succeeded()) {
                return out;
            }
            KvpEnumerate answer = KvpEnumerate.read(body(r, KvpEnumerate.SIZE));
            out.add(answer.data());
        }
    }

    private IcResponse call(byte op, byte pool, int bodySize, Consumer<MemorySegment> body) throws IcException {
        IcResponse r = requireChannel().transact(KvpHeader.SIZE + bodySize, b -> {
            new KvpHeader(op, pool).write(b);
            body.accept(b.asSlice(KvpHeader.SIZE));
        }, DEFAULT_TIMEOUT);
        if (r.body().length < KvpHeader.SIZE) {
            degrade("KVP answer of " + r.body().length + " bytes");
            throw new IcException("KVP answer of " + r.body().length + " bytes");
        }
        KvpHeader h = KvpHeader.read(r.bodySegment());
        if (h.operation() != op || h.pool() != pool) {
            degrade("KVP answer for operation " + h.operation() + "/pool " + h.pool() + " to " + op + "/" + pool);
            throw new IcException("KVP answer does not match its request");
        }
        return r;
    }

    /** The operation body of a successful answer, which must be complete. */
    private MemorySegment body(IcResponse r, int size) throws IcException {
        if (r.body().length < KvpHeader.SIZE + size) {
            degrade("KVP answer body of " + (r.body().length - KvpHeader.SIZE) + " bytes, " + size + " expected");
            throw new IcException("short KVP answer");
        }
        return r.bodySegment().asSlice(KvpHeader.SIZE, size);
    }
}
