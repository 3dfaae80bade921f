package dev.parvis.shell.engine;

/**
 * The parameters every command takes: -ErrorAction, -WarningAction, and for commands that change
 * state -WhatIf and -Confirm. A null field was not given (the preference variables decide).
 */
record CommonParameters(String errorAction, String warningAction, Boolean whatIf, Boolean confirm) {
    static final java.util.List<String> ACTIONS = dev.parvis.shell.command.CommonParameterSpecs.ACTIONS;
    static final CommonParameters NONE = new CommonParameters(null, null, null, null);
}
