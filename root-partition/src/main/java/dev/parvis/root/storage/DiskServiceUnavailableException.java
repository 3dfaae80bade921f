package dev.parvis.root.storage;

import dev.parvis.root.vm.VmException;

/** This host has no virtual disk support yet (Hyper-V's 32770 "Not supported"). */
public final class DiskServiceUnavailableException extends VmException {
    public DiskServiceUnavailableException(String operation) {
        super(operation + " is not supported on this host yet: virtual hard disk support (VHDX) is not installed");
    }
}
