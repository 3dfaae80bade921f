package dev.parvis.wmi.remote;

import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.thrift.gen.CimValue._Fields;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts between the model's CIM records and the IDL's generated structs, both ways, for the
 * server and the Java client. Embedded instances nest at most {@value #MAX_EMBEDDING} deep.
 */
public final class WireValues {
    public static final int MAX_EMBEDDING = 4;

    private WireValues() {}

    public static dev.parvis.wmi.thrift.gen.CimInstance toWire(CimInstance i) {
        Map<String, dev.parvis.wmi.thrift.gen.CimValue> props = new LinkedHashMap<>();
        i.properties().forEach((k, v) -> props.put(k, toWire(v)));
        String path = i.path().keys().isEmpty() ? "" : i.path().toString();
        return new dev.parvis.wmi.thrift.gen.CimInstance(i.className(), path, props);
    }

    public static dev.parvis.wmi.thrift.gen.CimValue toWire(CimValue v) {
        return switch (v) {
            case CimValue.Bool b -> dev.parvis.wmi.thrift.gen.CimValue.boolValue(b.value());
            case CimValue.Int i -> dev.parvis.wmi.thrift.gen.CimValue.intValue(i.value());
            case CimValue.Real r -> dev.parvis.wmi.thrift.gen.CimValue.realValue(r.value());
            case CimValue.Text t -> dev.parvis.wmi.thrift.gen.CimValue.textValue(t.value());
            case CimValue.DateTime d -> dev.parvis.wmi.thrift.gen.CimValue.datetimeValue(d.value().toString());
            case CimValue.Interval d -> dev.parvis.wmi.thrift.gen.CimValue.intervalMillis(d.value().toMillis());
            case CimValue.Ref r -> dev.parvis.wmi.thrift.gen.CimValue.referenceValue(r.value().toString());
            case CimValue.TextArray a -> dev.parvis.wmi.thrift.gen.CimValue.textArray(a.value());
            case CimValue.IntArray a -> dev.parvis.wmi.thrift.gen.CimValue.intArray(a.value());
            case CimValue.Instances list -> dev.parvis.wmi.thrift.gen.CimValue.instances(list.value().stream().map(WireValues::toWire).toList());
        };
    }

    public static Map<String, dev.parvis.wmi.thrift.gen.CimValue> toWire(Map<String, CimValue> values) {
        Map<String, dev.parvis.wmi.thrift.gen.CimValue> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, toWire(v)));
        return out;
    }

    public static CimInstance fromWire(dev.parvis.wmi.thrift.gen.CimInstance i) {
        return fromWire(i, 0);
    }

    private static CimInstance fromWire(dev.parvis.wmi.thrift.gen.CimInstance i, int depth) {
        if (i.getClassName() == null || i.getProperties() == null) {
            throw new InvalidParameterException("an instance needs className and properties");
        }
        ObjectPath path = i.getPath() == null || i.getPath().isEmpty() ? new ObjectPath(i.getClassName(), Map.of())
                : ObjectPath.parse(i.getPath());
        return new CimInstance(path, fromWire(i.getProperties(), depth));
    }

    public static Map<String, CimValue> fromWire(Map<String, dev.parvis.wmi.thrift.gen.CimValue> values) {
        return fromWire(values, 0);
    }

    private static Map<String, CimValue> fromWire(Map<String, dev.parvis.wmi.thrift.gen.CimValue> values, int depth) {
        Map<String, CimValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, dev.parvis.wmi.thrift.gen.CimValue> e : values.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new InvalidParameterException("a NULL name or value in a property map");
            }
            out.put(e.getKey(), fromWire(e.getKey(), e.getValue(), depth));
        }
        return out;
    }

    private static CimValue fromWire(String name, dev.parvis.wmi.thrift.gen.CimValue v, int depth) {
        _Fields f = v.getSetField();
        if (f == null) {
            throw new InvalidParameterException("value of '" + name + "' has no field set");
        }
        try {
            return switch (f) {
                case BOOL_VALUE -> new CimValue.Bool(v.getBoolValue());
                case INT_VALUE -> new CimValue.Int(v.getIntValue());
                case REAL_VALUE -> new CimValue.Real(v.getRealValue());
                case TEXT_VALUE -> new CimValue.Text(v.getTextValue());
                case DATETIME_VALUE -> new CimValue.DateTime(Instant.parse(v.getDatetimeValue()));
                case INTERVAL_MILLIS -> new CimValue.Interval(Duration.ofMillis(v.getIntervalMillis()));
                case REFERENCE_VALUE -> new CimValue.Ref(ObjectPath.parse(v.getReferenceValue()));
                case TEXT_ARRAY -> new CimValue.TextArray(noNulls(name, v.getTextArray()));
                case INT_ARRAY -> new CimValue.IntArray(noNulls(name, v.getIntArray()));
                case INSTANCES -> {
                    if (depth >= MAX_EMBEDDING) {
                        throw new InvalidParameterException("embedded instances nest deeper than " + MAX_EMBEDDING);
                    }
                    List<CimInstance> list = new ArrayList<>();
                    for (dev.parvis.wmi.thrift.gen.CimInstance i : noNulls(name, v.getInstances())) {
                        list.add(fromWire(i, depth + 1));
                    }
                    yield new CimValue.Instances(list);
                }
            };
        } catch (DateTimeParseException e) {
            throw new InvalidParameterException("value of '" + name + "' is not an ISO-8601 instant");
        }
    }

    private static <T> List<T> noNulls(String name, List<T> list) {
        if (list.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidParameterException("a NULL element in '" + name + "'");
        }
        return list;
    }

    public static dev.parvis.wmi.thrift.gen.MethodResult toWire(MethodResult r) {
        dev.parvis.wmi.thrift.gen.MethodResult out = new dev.parvis.wmi.thrift.gen.MethodResult(r.returnValue().code(),
                toWire(r.outParameters()));
        r.job().ifPresent(j -> out.setJob(j.toString()));
        return out;
    }

    public static MethodResult fromWire(dev.parvis.wmi.thrift.gen.MethodResult r) {
        return new MethodResult(new ReturnCode(r.getReturnValue()), Optional.ofNullable(r.getJob()).map(ObjectPath::parse),
                fromWire(r.getOutParameters()));
    }

    public static dev.parvis.wmi.thrift.gen.CimEvent toWire(CimEvent e) {
        dev.parvis.wmi.thrift.gen.CimEvent out = new dev.parvis.wmi.thrift.gen.CimEvent(e.kind().className(), toWire(e.target()),
                e.timeCreated().toString());
        e.previous().ifPresent(p -> out.setPreviousInstance(toWire(p)));
        return out;
    }

    public static CimEvent fromWire(dev.parvis.wmi.thrift.gen.CimEvent e) {
        CimEvent.Kind kind = CimEvent.Kind.of(e.getEventClass())
                .orElseThrow(() -> new InvalidParameterException("unknown event class " + e.getEventClass()));
        return new CimEvent(kind, fromWire(e.getTargetInstance()),
                Optional.ofNullable(e.getPreviousInstance()).map(WireValues::fromWire), Instant.parse(e.getTimeCreated()));
    }
}
