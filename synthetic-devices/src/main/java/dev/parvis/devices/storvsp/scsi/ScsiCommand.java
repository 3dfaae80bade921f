package dev.parvis.devices.storvsp.scsi;

/**
 * A decoded CDB ({@link CdbDecoder}). Block counts and addresses are unsigned values widened to
 * long; nothing is checked against a disk yet.
 */
public sealed interface ScsiCommand {

    record TestUnitReady() implements ScsiCommand {}

    record RequestSense(boolean descriptorFormat, int allocationLength) implements ScsiCommand {}

    record Inquiry(boolean vitalProductData, int pageCode, int allocationLength) implements ScsiCommand {}

    record ReadCapacity10() implements ScsiCommand {}

    record ReadCapacity16(int allocationLength) implements ScsiCommand {}

    /** READ (10) or READ (16). */
    record Read(long lba, long blocks, boolean forceUnitAccess) implements ScsiCommand {}

    /** WRITE (10) or WRITE (16). */
    record Write(long lba, long blocks, boolean forceUnitAccess) implements ScsiCommand {}

    /** SYNCHRONIZE CACHE (10) or (16); zero blocks means to the end of the disk. */
    record SynchronizeCache(long lba, long blocks) implements ScsiCommand {}

    record ReportLuns(int selectReport, long allocationLength) implements ScsiCommand {}

    /** MODE SENSE (6) or (10). */
    record ModeSense(boolean tenByte, boolean disableBlockDescriptors, int pageControl, int pageCode, int subpageCode,
                     int allocationLength) implements ScsiCommand {}

    record Unmap(int parameterListLength) implements ScsiCommand {}

    /** A CDB the device refuses before it reaches a disk: unknown opcode, short CDB, reserved field set. */
    record Refused(int opcode, Sense sense) implements ScsiCommand {}

    /** Whether the command moves data from the device to the guest's buffer. */
    default boolean dataIn() {
        return switch (this) {
            case RequestSense r -> true;
            case Inquiry i -> true;
            case ReadCapacity10 r -> true;
            case ReadCapacity16 r -> true;
            case Read r -> true;
            case ReportLuns r -> true;
            case ModeSense m -> true;
            case TestUnitReady t -> false;
            case Write w -> false;
            case SynchronizeCache s -> false;
            case Unmap u -> false;
            case Refused r -> false;
        };
    }
}
