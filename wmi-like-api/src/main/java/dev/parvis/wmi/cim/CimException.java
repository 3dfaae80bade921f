package dev.parvis.wmi.cim;

/**
 * A management API request that could not be carried out: the one family of failures every
 * client sees, locally or over Thrift (each subclass is one Thrift exception of the IDL).
 */
public abstract sealed class CimException extends RuntimeException
        permits AuthenticationException, AccessDeniedException, WqlSyntaxException, NotFoundException,
        InvalidParameterException, BusyException {
    protected CimException(String message) {
        super(message);
    }
}
