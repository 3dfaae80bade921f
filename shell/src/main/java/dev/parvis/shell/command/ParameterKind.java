package dev.parvis.shell.command;

/** The type a command parameter takes; the binder converts arguments to it. */
public enum ParameterKind {
    SWITCH("SwitchParameter"),
    STRING("String"),
    STRING_ARRAY("String[]"),
    INT("Int32"),
    LONG("Int64"),
    DOUBLE("Double"),
    BOOL("Boolean"),
    OBJECT("Object"),
    OBJECT_ARRAY("Object[]"),
    SCRIPTBLOCK("ScriptBlock"),
    SCRIPTBLOCK_ARRAY("ScriptBlock[]"),
    HASHTABLE("Hashtable"),
    /** One of the parameter's {@code choices} (case-insensitive; bound in the choice's own spelling). */
    CHOICE("String"),
    /** Objects of the parameter's {@code objectType} (e.g. VirtualMachine), one or more. */
    TYPED_OBJECTS("Object[]");

    private final String typeName;

    ParameterKind(String typeName) {
        this.typeName = typeName;
    }

    /** The type name help shows ({@code <String[]>}). */
    public String typeName() {
        return typeName;
    }
}
