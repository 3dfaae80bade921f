package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A method's in parameters (or an embedded instance's properties), looked up without case; each
 * accessor names the parameter and the type it wanted when the caller sent something else.
 */
record Params(String method, Map<String, CimValue> values) {

    static Params of(String method, Map<String, CimValue> values) {
        return new Params(method, values);
    }

    static Params of(String method, CimInstance embedded) {
        return new Params(method + " " + embedded.className(), embedded.properties());
    }

    Optional<CimValue> get(String name) {
        CimValue v = values.get(name);
        if (v != null) {
            return Optional.of(v);
        }
        return values.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    boolean has(String name) {
        return get(name).isPresent();
    }

    Optional<Long> integer(String name) {
        return get(name).map(v -> switch (v) {
            case CimValue.Int i -> i.value();
            case CimValue.Text t -> parseLong(name, t.value());
            default -> throw wrongType(name, "an integer", v);
        });
    }

    long requiredInteger(String name) {
        return integer(name).orElseThrow(() -> missing(name));
    }

    Optional<String> text(String name) {
        return get(name).map(v -> switch (v) {
            case CimValue.Text t -> t.value();
            case CimValue.TextArray a when a.value().size() == 1 -> a.value().getFirst();
            case CimValue.Int i -> Long.toString(i.value());
            default -> throw wrongType(name, "a string", v);
        });
    }

    String requiredText(String name) {
        return text(name).orElseThrow(() -> missing(name));
    }

    Optional<Boolean> bool(String name) {
        return get(name).map(v -> switch (v) {
            case CimValue.Bool b -> b.value();
            case CimValue.Int i -> i.value() != 0;
            case CimValue.Text t when t.value().equalsIgnoreCase("true") || t.value().equalsIgnoreCase("false") ->
                    Boolean.parseBoolean(t.value());
            default -> throw wrongType(name, "a boolean", v);
        });
    }

    ObjectPath requiredPath(String name) {
        return path(name).orElseThrow(() -> missing(name));
    }

    Optional<ObjectPath> path(String name) {
        return get(name).map(v -> switch (v) {
            case CimValue.Ref r -> r.value();
            case CimValue.Text t -> ObjectPath.parse(t.value());
            default -> throw wrongType(name, "an object path", v);
        });
    }

    /** A list of object paths (REF[]): references, or strings that parse as paths. */
    List<ObjectPath> paths(String name) {
        return get(name).map(v -> switch (v) {
            case CimValue.Ref r -> List.of(r.value());
            case CimValue.TextArray a -> a.value().stream().map(ObjectPath::parse).toList();
            case CimValue.Text t -> List.of(ObjectPath.parse(t.value()));
            default -> throw wrongType(name, "object paths", v);
        }).orElse(List.of());
    }

    /** Embedded instances; empty when the parameter is NULL. */
    List<CimInstance> instances(String name) {
        return get(name).map(v -> switch (v) {
            case CimValue.Instances i -> i.value();
            default -> throw wrongType(name, "embedded instances", v);
        }).orElse(List.of());
    }

    CimInstance requiredInstance(String name, String className) {
        List<CimInstance> list = instances(name);
        if (list.size() != 1 || !list.getFirst().className().equalsIgnoreCase(className)) {
            throw new InvalidParameterException("%s: %s must be one embedded %s".formatted(method, name, className));
        }
        return list.getFirst();
    }

    private long parseLong(String name, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidParameterException("%s: %s must be an integer, not '%s'".formatted(method, name, text));
        }
    }

    private InvalidParameterException wrongType(String name, String wanted, CimValue got) {
        return new InvalidParameterException("%s: %s must be %s, not %s".formatted(method, name, wanted,
                got.getClass().getSimpleName()));
    }

    private InvalidParameterException missing(String name) {
        return new InvalidParameterException("%s: parameter %s is required".formatted(method, name));
    }
}
