package dev.parvis.wmi.client;

import dev.parvis.wmi.cim.ReturnCode;

/** A method returned an error code, or its job ended in anything but Completed. */
public final class JobFailedException extends RuntimeException {
    private final ReturnCode code;

    public JobFailedException(ReturnCode code, String description) {
        super(code + (description.isEmpty() ? "" : ": " + description));
        this.code = code;
    }

    public ReturnCode code() {
        return code;
    }
}
