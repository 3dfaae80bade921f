package dev.parvis.shell.command;

/** Whether and how a parameter takes its value from pipeline input. */
public enum PipelineInput {
    NONE, BY_VALUE, BY_PROPERTY_NAME, BY_VALUE_AND_PROPERTY_NAME;

    public boolean byValue() {
        return this == BY_VALUE || this == BY_VALUE_AND_PROPERTY_NAME;
    }

    public boolean byPropertyName() {
        return this == BY_PROPERTY_NAME || this == BY_VALUE_AND_PROPERTY_NAME;
    }

    /** As Get-Help shows it. */
    public String describe() {
        return switch (this) {
            case NONE -> "False";
            case BY_VALUE -> "True (ByValue)";
            case BY_PROPERTY_NAME -> "True (ByPropertyName)";
            case BY_VALUE_AND_PROPERTY_NAME -> "True (ByValue, ByPropertyName)";
        };
    }
}
