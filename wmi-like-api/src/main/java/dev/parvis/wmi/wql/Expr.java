package dev.parvis.wmi.wql;

import dev.parvis.wmi.cim.CimValue;
import java.util.ArrayList;
import java.util.List;

/** A WHERE-clause condition. */
public sealed interface Expr {

    record And(Expr left, Expr right) implements Expr {}

    record Or(Expr left, Expr right) implements Expr {}

    record Not(Expr inner) implements Expr {}

    record Compare(Operand left, Comparator op, Operand right) implements Expr {}

    record Like(Operand operand, String pattern, boolean negated) implements Expr {}

    record IsNull(Operand operand, boolean negated) implements Expr {}

    /** {@code TargetInstance ISA 'Msvm_ComputerSystem'}. */
    record Isa(Operand.Property operand, String className) implements Expr {}

    enum Comparator { EQ, NE, LT, LE, GT, GE }

    /** A property (optionally qualified: TargetInstance.EnabledState) or a literal (null = NULL). */
    sealed interface Operand {
        record Property(String qualifier, String name) implements Operand {
            /** How the query wrote it. */
            public String text() {
                return qualifier == null ? name : qualifier + "." + name;
            }
        }

        record Literal(CimValue value) implements Operand {}
    }

    /** Every property the condition names, in order. */
    default List<Operand.Property> properties() {
        List<Operand.Property> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(Expr e, List<Operand.Property> out) {
        switch (e) {
            case And a -> {
                collect(a.left(), out);
                collect(a.right(), out);
            }
            case Or o -> {
                collect(o.left(), out);
                collect(o.right(), out);
            }
            case Not n -> collect(n.inner(), out);
            case Compare c -> {
                add(c.left(), out);
                add(c.right(), out);
            }
            case Like l -> add(l.operand(), out);
            case IsNull i -> add(i.operand(), out);
            case Isa i -> out.add(i.operand());
        }
    }

    private static void add(Operand o, List<Operand.Property> out) {
        if (o instanceof Operand.Property p) {
            out.add(p);
        }
    }
}
