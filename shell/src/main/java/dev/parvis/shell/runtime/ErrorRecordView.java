package dev.parvis.shell.runtime;

import java.util.List;

/** The members an error record shows in a catch block ({@code $_.Exception.Message}, {@code $_.InvocationInfo.ScriptLineNumber}). */
final class ErrorRecordView {
    static final List<String> PROPERTIES = List.of("Exception", "TargetObject", "CategoryInfo", "FullyQualifiedErrorId",
            "InvocationInfo", "ScriptStackTrace");

    private ErrorRecordView() {
    }

    static Object property(ErrorRecord e, String n) {
        return switch (n) {
            case "exception" -> PSObject.of("System." + e.exceptionType(), e.message()).add("Message", e.message());
            case "targetobject" -> e.target();
            case "categoryinfo" -> PSObject.of("System.Management.Automation.ErrorCategoryInfo", e.categoryInfo())
                    .add("Category", e.category().displayName()).add("Activity", e.commandName() == null ? "" : e.commandName());
            case "fullyqualifiederrorid" -> e.fullyQualifiedErrorId();
            case "invocationinfo" -> invocationInfo(e);
            case "scriptstacktrace" -> e.position().isKnown() ? e.position().location() : "";
            case "message" -> e.message();
            default -> n.equals("count") || n.equals("length") ? 1 : null;
        };
    }

    private static PSObject invocationInfo(ErrorRecord e) {
        var p = e.position();
        return PSObject.of("System.Management.Automation.InvocationInfo", p.isKnown() ? p.location() : "")
                .add("MyCommand", e.commandName())
                .add("ScriptName", p.source().name())
                .add("ScriptLineNumber", p.line())
                .add("OffsetInLine", p.column())
                .add("Line", p.isKnown() ? p.source().line(p.line()) : "")
                .add("PositionMessage", p.isKnown() ? p.location() + "\n" + p.underline() : "");
    }
}
