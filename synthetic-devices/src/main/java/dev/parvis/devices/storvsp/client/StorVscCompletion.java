package dev.parvis.devices.storvsp.client;

import dev.parvis.devices.storvsp.protocol.NtStatus;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.util.Arrays;

/** The host's answer to one EXECUTE_SRB: the packet status and the completed request. */
public record StorVscCompletion(NtStatus status, ScsiRequest srb) {

    public SrbStatus srbStatus() {
        return new SrbStatus(srb.srbStatus());
    }

    public int scsiStatus() {
        return srb.scsiStatus();
    }

    /** Bytes the host moved through the buffer. */
    public long transferred() {
        return Integer.toUnsignedLong(srb.dataTransferLength());
    }

    /** The sense data when the host marked it valid, else null. */
    public Sense sense() {
        if (!srbStatus().autosenseValid()) {
            return null;
        }
        return Sense.fromFixedFormat(Arrays.copyOf(srb.cdbOrSense(), Math.min(srb.senseInfoLength(), ScsiRequest.CDB_AREA)));
    }

    public boolean ok() {
        return status.equals(NtStatus.SUCCESS) && srbStatus().status() == SrbStatus.SUCCESS.raw();
    }

    @Override
    public String toString() {
        return "StorVscCompletion[" + status + ", " + srbStatus() + ", scsi 0x" + Integer.toHexString(scsiStatus())
                + ", " + transferred() + " bytes" + (sense() != null ? ", " + sense() : "") + "]";
    }
}
