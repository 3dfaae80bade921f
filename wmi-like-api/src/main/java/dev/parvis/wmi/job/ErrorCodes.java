package dev.parvis.wmi.job;

import dev.parvis.root.storage.DiskServiceUnavailableException;
import dev.parvis.root.vm.IllegalVmStateException;
import dev.parvis.root.vm.InsufficientHostMemoryException;
import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ReturnCode;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.TimeoutException;

/** The WMI error code a failure of management work reports (management model reference section 3.4). */
public final class ErrorCodes {
    private ErrorCodes() {}

    public static ReturnCode of(Throwable t) {
        return switch (t) {
            case JobFailure f -> f.code();
            case IllegalVmStateException e -> ReturnCode.INVALID_STATE;
            case DiskServiceUnavailableException e -> ReturnCode.NOT_SUPPORTED;
            case InsufficientHostMemoryException e -> ReturnCode.OUT_OF_MEMORY;
            case TimeoutException e -> ReturnCode.TIMEOUT;
            case NoSuchFileException e -> ReturnCode.FILE_NOT_FOUND;
            case NotFoundException e -> ReturnCode.FILE_NOT_FOUND;
            case AccessDeniedException e -> ReturnCode.ACCESS_DENIED;
            case InvalidParameterException e -> ReturnCode.INVALID_PARAMETER;
            case IllegalArgumentException e -> ReturnCode.INVALID_PARAMETER;
            default -> ReturnCode.FAILED;
        };
    }
}
