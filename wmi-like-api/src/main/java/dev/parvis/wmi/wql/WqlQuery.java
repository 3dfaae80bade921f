package dev.parvis.wmi.wql;

import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.ObjectPath;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A parsed WQL statement. */
public sealed interface WqlQuery {

    /** SELECT properties (empty list = *) FROM className [WHERE where]. */
    record Select(List<String> properties, String className, Optional<Expr> where) implements WqlQuery {
        public Select {
            properties = List.copyOf(properties);
        }
    }

    /**
     * SELECT * FROM __Instance...Event WITHIN within WHERE TargetInstance ISA 'targetClass' [AND ...]:
     * {@code where} is the whole condition, the ISA included.
     */
    record EventSelect(CimEvent.Kind kind, Duration within, String targetClass, Expr where) implements WqlQuery {
    }

    /** ASSOCIATORS OF {source} [WHERE AssocClass = .. ResultClass = .. Role = .. ResultRole = ..]. */
    record Associators(ObjectPath source, Optional<String> assocClass, Optional<String> resultClass, Optional<String> role,
                       Optional<String> resultRole) implements WqlQuery {
    }

    /** REFERENCES OF {source} [WHERE ResultClass = (association class) Role = ..]. */
    record References(ObjectPath source, Optional<String> resultClass, Optional<String> role) implements WqlQuery {
    }
}
