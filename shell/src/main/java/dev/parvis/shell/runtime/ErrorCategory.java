package dev.parvis.shell.runtime;

import java.util.Locale;

/** PowerShell's error categories (the first word of an error's CategoryInfo). */
public enum ErrorCategory {
    NOT_SPECIFIED, OBJECT_NOT_FOUND, INVALID_ARGUMENT, INVALID_OPERATION, INVALID_DATA, INVALID_TYPE, PARSER_ERROR,
    RESOURCE_UNAVAILABLE, RESOURCE_EXISTS, PERMISSION_DENIED, OPERATION_STOPPED, LIMITS_EXCEEDED, CONNECTION_ERROR,
    NOT_IMPLEMENTED, OPERATION_TIMEOUT, WRITE_ERROR, READ_ERROR, INVALID_RESULT, AUTHENTICATION_ERROR, DEVICE_ERROR;

    /** The PascalCase name PowerShell shows ({@code ObjectNotFound}). */
    public String displayName() {
        StringBuilder b = new StringBuilder();
        for (String part : name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
