package dev.parvis.devices.storvsp.scsi;

/**
 * How a command ended: the SCSI status, sense data for CHECK CONDITION (else null) and the bytes
 * moved through the guest's buffer.
 */
public record ScsiResult(ScsiStatus status, Sense sense, int transferred) {

    public static ScsiResult good(int transferred) {
        return new ScsiResult(ScsiStatus.GOOD, null, transferred);
    }

    public static ScsiResult check(Sense sense) {
        return new ScsiResult(ScsiStatus.CHECK_CONDITION, sense, 0);
    }

    public boolean good() {
        return status.equals(ScsiStatus.GOOD);
    }
}
