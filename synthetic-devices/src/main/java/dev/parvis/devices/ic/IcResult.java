package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;

/** The HRESULT a guest answered an IC request with; an open value, named when known. */
public record IcResult(int status) {
    public static final IcResult S_OK = new IcResult(IcConstants.S_OK);

    public boolean succeeded() {
        return status == IcConstants.S_OK;
    }

    @Override
    public String toString() {
        String name = switch (status) {
            case IcConstants.S_OK -> "S_OK";
            case IcConstants.E_FAIL -> "E_FAIL";
            case IcConstants.NO_MORE_ITEMS -> "NO_MORE_ITEMS";
            case IcConstants.NOT_SUPPORTED -> "NOT_SUPPORTED";
            case IcConstants.INVALIDARG -> "INVALIDARG";
            case IcConstants.NOT_FOUND -> "NOT_FOUND";
            case IcConstants.ALREADY_EXISTS -> "ALREADY_EXISTS";
            case IcConstants.DISK_FULL -> "DISK_FULL";
            default -> null;
        };
        return name != null ? name : "IcResult(0x%08X)".formatted(Integer.toUnsignedLong(status));
    }
}
