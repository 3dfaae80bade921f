package dev.parvis.wmi.wql;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import java.util.Optional;

/** What a condition is evaluated against: an instance, or an event's TargetInstance and PreviousInstance. */
public interface Row {
    /** The property's value; empty when NULL. */
    Optional<CimValue> value(Expr.Operand.Property property);

    /** The class of the embedded object the property names (for ISA); empty when there is none. */
    Optional<String> className(Expr.Operand.Property property);

    /** One instance: unqualified property names. */
    static Row of(CimInstance instance) {
        return new Row() {
            @Override
            public Optional<CimValue> value(Expr.Operand.Property p) {
                return p.qualifier() == null ? instance.value(p.name()) : Optional.empty();
            }

            @Override
            public Optional<String> className(Expr.Operand.Property p) {
                return Optional.empty();
            }
        };
    }
}
