package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.wql.Conditions;
import dev.parvis.wmi.wql.Expr;
import dev.parvis.wmi.wql.Row;
import dev.parvis.wmi.wql.WqlQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every class of the model and the execution of SELECT, ASSOCIATORS OF and REFERENCES OF over
 * instances rendered from one {@link ModelView}. Names of classes and properties are checked
 * against the schema, so a typo is an error rather than an empty answer.
 */
final class Catalog {
    private final Map<String, InstanceSource> sources = new LinkedHashMap<>();
    private final Set<String> associations = new LinkedHashSet<>();

    Catalog() {
        List<InstanceSource> all = new ArrayList<>();
        all.add(new ComputerSystems());
        all.addAll(SettingData.all());
        all.addAll(IntegrationComponents.all());
        all.add(new SummaryInformation());
        all.add(new MetricValues());
        all.addAll(HostServices.all());
        all.add(new ConcreteJobs());
        for (InstanceSource s : all) {
            sources.put(key(s.cimClass().name()), s);
        }
        for (InstanceSource s : Associations.all()) {
            sources.put(key(s.cimClass().name()), s);
            associations.add(key(s.cimClass().name()));
        }
    }

    private static String key(String className) {
        return className.toLowerCase(Locale.ROOT);
    }

    List<CimClass> classes() {
        return sources.values().stream().map(InstanceSource::cimClass).toList();
    }

    CimClass schema(String className) {
        InstanceSource s = sources.get(key(className));
        if (s == null) {
            throw new InvalidParameterException("no class '" + className + "' in this namespace");
        }
        return s.cimClass();
    }

    List<CimInstance> instances(String className, ModelView view) {
        schema(className);
        return sources.get(key(className)).instances(view);
    }

    Optional<CimInstance> find(ObjectPath path, ModelView view) {
        if (!sources.containsKey(key(path.className()))) {
            return Optional.empty();
        }
        return instances(path.className(), view).stream().filter(i -> i.path().equals(path)).findFirst();
    }

    CimInstance get(ObjectPath path, ModelView view) {
        return find(path, view).orElseThrow(() -> new NotFoundException("no instance " + path));
    }

    List<CimInstance> execute(WqlQuery query, ModelView view) {
        return switch (query) {
            case WqlQuery.Select s -> select(s, view);
            case WqlQuery.Associators a -> associators(a, view);
            case WqlQuery.References r -> references(r, view);
            case WqlQuery.EventSelect e -> throw new InvalidParameterException(
                    "an event query (" + e.kind().className() + ") is a subscription: use subscribe, not query");
        };
    }

    private List<CimInstance> select(WqlQuery.Select s, ModelView view) {
        CimClass schema = schema(s.className());
        for (String p : s.properties()) {
            checkProperty(schema, p);
        }
        s.where().ifPresent(w -> w.properties().forEach(p -> {
            if (p.qualifier() != null) {
                throw new InvalidParameterException("'" + p.text() + "': qualified names are for event queries");
            }
            checkProperty(schema, p.name());
        }));
        List<CimInstance> out = new ArrayList<>();
        for (CimInstance i : instances(s.className(), view)) {
            if (s.where().isEmpty() || Conditions.matches(s.where().get(), Row.of(i))) {
                out.add(s.properties().isEmpty() ? i : i.project(s.properties()));
            }
        }
        return out;
    }

    static void checkProperty(CimClass schema, String property) {
        if (!schema.hasProperty(property)) {
            throw new InvalidParameterException("class " + schema.name() + " has no property '" + property + "'");
        }
    }

    /** The association instances that reference {@code source} (in role {@code role} when given). */
    private List<CimInstance> referencing(ObjectPath source, Optional<String> assocClass, Optional<String> role, ModelView view) {
        get(source, view);
        List<CimInstance> out = new ArrayList<>();
        for (String name : associations) {
            InstanceSource s = sources.get(name);
            if (assocClass.isPresent() && !assocClass.get().equalsIgnoreCase(s.cimClass().name())) {
                continue;
            }
            for (CimInstance link : s.instances(view)) {
                for (Map.Entry<String, CimValue> e : link.properties().entrySet()) {
                    if (e.getValue() instanceof CimValue.Ref r && r.value().equals(source)
                            && role.map(x -> x.equalsIgnoreCase(e.getKey())).orElse(true)) {
                        out.add(link);
                        break;
                    }
                }
            }
        }
        return out;
    }

    private List<CimInstance> references(WqlQuery.References r, ModelView view) {
        r.resultClass().ifPresent(c -> requireAssociation(c));
        return referencing(r.source(), r.resultClass(), r.role(), view);
    }

    private List<CimInstance> associators(WqlQuery.Associators a, ModelView view) {
        a.assocClass().ifPresent(this::requireAssociation);
        a.resultClass().ifPresent(this::schema);
        Set<ObjectPath> targets = new LinkedHashSet<>();
        for (CimInstance link : referencing(a.source(), a.assocClass(), a.role(), view)) {
            for (Map.Entry<String, CimValue> e : link.properties().entrySet()) {
                if (e.getValue() instanceof CimValue.Ref ref && !ref.value().equals(a.source())
                        && a.resultRole().map(x -> x.equalsIgnoreCase(e.getKey())).orElse(true)
                        && a.resultClass().map(c -> c.equalsIgnoreCase(ref.value().className())).orElse(true)) {
                    targets.add(ref.value());
                }
            }
        }
        Map<String, List<CimInstance>> byClass = new LinkedHashMap<>();
        List<CimInstance> out = new ArrayList<>();
        for (ObjectPath t : targets) {
            List<CimInstance> all = byClass.computeIfAbsent(key(t.className()), k -> instances(t.className(), view));
            all.stream().filter(i -> i.path().equals(t)).findFirst().ifPresent(out::add);
        }
        return out;
    }

    private void requireAssociation(String className) {
        schema(className);
        if (!associations.contains(key(className))) {
            throw new InvalidParameterException(className + " is not an association class");
        }
    }

    /** For event queries: checks TargetInstance.X / PreviousInstance.X names against the target class. */
    void checkEventProperties(String targetClass, Expr where) {
        CimClass schema = schema(targetClass);
        for (Expr.Operand.Property p : where.properties()) {
            if (p.qualifier() == null) {
                if (!p.name().equalsIgnoreCase("TargetInstance") && !p.name().equalsIgnoreCase("PreviousInstance")) {
                    throw new InvalidParameterException("'" + p.name() + "': an event query names TargetInstance.<property> or"
                            + " PreviousInstance.<property>");
                }
            } else if (p.qualifier().equalsIgnoreCase("TargetInstance") || p.qualifier().equalsIgnoreCase("PreviousInstance")) {
                checkProperty(schema, p.name());
            } else {
                throw new InvalidParameterException("'" + p.text() + "': unknown qualifier " + p.qualifier());
            }
        }
    }
}
