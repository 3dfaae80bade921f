package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.AuthenticationException;
import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.cim.CimException;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.client.ConnectionException;
import dev.parvis.wmi.client.JobFailedException;
import java.util.function.Supplier;

/**
 * The management API's failures as the shell's errors: Hyper-V's VirtualizationException with a
 * category per kind (not found, access denied, invalid argument, wrong state, connection), so
 * scripts can catch them and the message says what the host said.
 */
final class HyperVErrors {
    static final String EXCEPTION = "VirtualizationException";

    private HyperVErrors() {
    }

    /** Runs one API call; its failures become RuntimeErrors. */
    static <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (CimException | ConnectionException | JobFailedException | java.io.UncheckedIOException e) {
            throw translate(e);
        }
    }

    static RuntimeError translate(RuntimeException e) {
        return switch (e) {
            case NotFoundException n -> error(n.getMessage(), ErrorCategory.OBJECT_NOT_FOUND, "ObjectNotFound");
            case AccessDeniedException a -> error(a.getMessage(), ErrorCategory.PERMISSION_DENIED, "AccessDenied");
            case AuthenticationException a -> error("The host refused the credential: " + a.getMessage(), ErrorCategory.AUTHENTICATION_ERROR,
                    "AuthenticationFailed");
            case InvalidParameterException i -> error(i.getMessage(), ErrorCategory.INVALID_ARGUMENT, "InvalidParameter");
            case BusyException b -> error(b.getMessage(), ErrorCategory.RESOURCE_UNAVAILABLE, "Busy");
            case ConnectionException c -> error(c.getMessage(), ErrorCategory.CONNECTION_ERROR, "ConnectionFailed");
            case JobFailedException j -> failed(j.code(), j.getMessage());
            default -> error(String.valueOf(e.getMessage()), ErrorCategory.NOT_SPECIFIED, "OperationFailed");
        };
    }

    /** A method or job that ended with {@code code}: "operation failed" in Hyper-V's words, with the host's reason. */
    static RuntimeError failed(ReturnCode code, String description) {
        ErrorCategory category = switch (code.code()) {
            case 32775 -> ErrorCategory.INVALID_OPERATION;
            case 32770 -> ErrorCategory.NOT_IMPLEMENTED;
            case 32773 -> ErrorCategory.INVALID_ARGUMENT;
            case 32769 -> ErrorCategory.PERMISSION_DENIED;
            case 32779 -> ErrorCategory.OBJECT_NOT_FOUND;
            default -> ErrorCategory.NOT_SPECIFIED;
        };
        String why = description == null || description.isBlank() ? code.toString() : description;
        return error(why, category, code.code() == 32775 ? "InvalidState" : code.code() == 32770 ? "NotSupported" : "OperationFailed");
    }

    static RuntimeError error(String message, ErrorCategory category, String id) {
        return RuntimeError.of(EXCEPTION, message, category, id, null);
    }

    static RuntimeError vmNotFound(String name) {
        return RuntimeError.of(EXCEPTION, "Hyper-V was unable to find a virtual machine with name \"" + name + "\".",
                ErrorCategory.INVALID_ARGUMENT, "InvalidParameter", name);
    }
}
