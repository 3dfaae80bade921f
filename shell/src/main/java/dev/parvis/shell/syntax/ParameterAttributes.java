package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.ShellParser.AttributeArgumentContext;
import dev.parvis.shell.grammar.ShellParser.AttributeContext;
import dev.parvis.shell.grammar.ShellParser.ParameterContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one declared parameter and its attributes: {@code [Parameter(Mandatory, Position=0,
 * ValueFromPipeline, ValueFromPipelineByPropertyName, HelpMessage='...')]}, {@code [ValidateSet(...)]};
 * other attributes ({@code [Alias]}, {@code [CmdletBinding]}, ...) are accepted and ignored.
 * Attribute arguments must be constants.
 */
final class ParameterAttributes {
    private final AstBuilder b;
    private final ExpressionBuilder x;
    private boolean mandatory;
    private int position = ParameterAst.NO_POSITION;
    private boolean fromPipeline;
    private boolean byPropertyName;
    private String helpMessage = "";
    private final List<String> validateSet = new ArrayList<>();

    ParameterAttributes(AstBuilder b, ExpressionBuilder x) {
        this.b = b;
        this.x = x;
    }

    ParameterAst parameter(ParameterContext p) {
        for (AttributeContext a : p.attribute()) {
            attribute(a);
        }
        TypeName type = p.typeLiteral() == null ? null : x.typeName(p.typeLiteral());
        Expression def = p.argumentExpression() == null ? null : x.argumentExpression(p.argumentExpression());
        String name = VariablePath.parse(p.VARIABLE().getText().substring(1)).name();
        return new ParameterAst(b.span(p), name, type, def, mandatory, position, fromPipeline, byPropertyName, validateSet, helpMessage);
    }

    private void attribute(AttributeContext a) {
        String name = a.IDENT().getText().toLowerCase(Locale.ROOT);
        for (AttributeArgumentContext arg : a.attributeArgument()) {
            if (name.equals("parameter")) {
                parameterArgument(arg);
            } else if (name.equals("validateset")) {
                if (arg.argumentExpression() == null || arg.IDENT() != null) {
                    throw b.error("ValidateSet takes a list of values.", b.span(arg));
                }
                validateSet.add(String.valueOf(constant(x.argumentExpression(arg.argumentExpression()))));
            }
        }
    }

    private void parameterArgument(AttributeArgumentContext arg) {
        if (arg.IDENT() == null) {
            throw b.error("Parameter attribute arguments are written Name or Name=value.", b.span(arg));
        }
        String key = arg.IDENT().getText().toLowerCase(Locale.ROOT);
        Object value = arg.argumentExpression() == null ? Boolean.TRUE : constant(x.argumentExpression(arg.argumentExpression()));
        switch (key) {
            case "mandatory" -> mandatory = truthy(value);
            case "valuefrompipeline" -> fromPipeline = truthy(value);
            case "valuefrompipelinebypropertyname" -> byPropertyName = truthy(value);
            case "position" -> {
                if (!(value instanceof Number n) || n.intValue() < 0) {
                    throw b.error("Position must be a number of 0 or more.", b.span(arg));
                }
                position = n.intValue();
            }
            case "helpmessage" -> helpMessage = String.valueOf(value);
            default -> { } // ParameterSetName, DontShow, ...: accepted, no effect here
        }
    }

    private static boolean truthy(Object v) {
        return v instanceof Boolean bool ? bool : v instanceof Number n ? n.doubleValue() != 0 : v != null;
    }

    private Object constant(Expression e) {
        return switch (e) {
            case Expression.Constant c -> c.value();
            case Expression.VariableExpression v when v.path().name().equalsIgnoreCase("true") -> Boolean.TRUE;
            case Expression.VariableExpression v when v.path().name().equalsIgnoreCase("false") -> Boolean.FALSE;
            case Expression.ExpandableString s when s.parts().stream().allMatch(p -> p instanceof Expression.StringPart.Text) ->
                    s.parts().stream().map(p -> ((Expression.StringPart.Text) p).text()).reduce("", String::concat);
            case Expression.Unary u when u.operator() == UnaryOperator.NEGATE && u.operand() instanceof Expression.Constant c
                    && c.value() instanceof Integer i -> -i;
            default -> throw b.error("Attribute arguments must be constants.", e.span());
        };
    }
}
