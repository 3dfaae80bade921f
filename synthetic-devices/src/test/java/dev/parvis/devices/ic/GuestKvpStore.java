package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageHeader;
import dev.parvis.abi.ic.KvpDelete;
import dev.parvis.abi.ic.KvpEnumerate;
import dev.parvis.abi.ic.KvpHeader;
import dev.parvis.abi.ic.KvpValue;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The guest side of KVP: pools of items, answering in place like the Linux daemon. */
final class GuestKvpStore implements GuestResponder.Handler {
    static final Map<String, String> INTRINSIC = intrinsic();

    private final Map<Byte, Map<String, String>> pools = new ConcurrentHashMap<>();

    GuestKvpStore() {
        pools.put(IcConstants.KVP_POOL_AUTO, new LinkedHashMap<>(INTRINSIC));
    }

    private static Map<String, String> intrinsic() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("FullyQualifiedDomainName", "guest.parvis.test");
        m.put("IntegrationServicesVersion", "6.0.0");
        m.put("NetworkAddressIPv4", "10.0.0.2");
        m.put("OSName", "Parvis Test Linux");
        m.put("OSMajorVersion", "6");
        m.put("ProcessorArchitecture", "x86_64");
        return m;
    }

    synchronized Map<String, String> pool(byte pool) {
        return pools.computeIfAbsent(pool, p -> new LinkedHashMap<>());
    }

    @Override
    public synchronized int answer(IcMessageHeader h, MemorySegment body) {
        KvpHeader kh = KvpHeader.read(body);
        MemorySegment op = body.asSlice(KvpHeader.SIZE);
        Map<String, String> pool = pool(kh.pool());
        return switch (kh.operation()) {
            case IcConstants.KVP_OP_SET -> {
                KvpValue v = KvpValue.read(op);
                pool.put(v.keyString(), v.valueString());
                yield IcConstants.S_OK;
            }
            case IcConstants.KVP_OP_GET -> {
                KvpValue v = KvpValue.read(op);
                String value = pool.get(v.keyString());
                if (value == null) {
                    yield IcConstants.NOT_FOUND;
                }
                KvpValue.ofString(v.keyString(), value).write(op);
                yield IcConstants.S_OK;
            }
            case IcConstants.KVP_OP_DELETE -> pool.remove(KvpDelete.read(op).keyString()) != null
                    ? IcConstants.S_OK : IcConstants.NOT_FOUND;
            case IcConstants.KVP_OP_ENUMERATE -> {
                int index = KvpEnumerate.read(op).index();
                List<Map.Entry<String, String>> items = new ArrayList<>(pool.entrySet());
                if (index < 0 || index >= items.size()) {
                    yield IcConstants.NO_MORE_ITEMS;
                }
                Map.Entry<String, String> e = items.get(index);
                new KvpEnumerate(index, KvpValue.ofString(e.getKey(), e.getValue())).write(op);
                yield IcConstants.S_OK;
            }
            default -> IcConstants.E_FAIL;
        };
    }
}
