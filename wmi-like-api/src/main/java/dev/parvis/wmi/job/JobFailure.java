package dev.parvis.wmi.job;

import dev.parvis.wmi.cim.ReturnCode;

/** Work that failed with a specific WMI error code (e.g. 32775 invalid state) and description. */
public final class JobFailure extends Exception {
    private final ReturnCode code;

    public JobFailure(ReturnCode code, String message) {
        super(message);
        this.code = code;
    }

    public ReturnCode code() {
        return code;
    }
}
