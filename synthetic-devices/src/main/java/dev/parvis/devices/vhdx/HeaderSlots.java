package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The two header slots and which one is current ([MS-VHDX] 2.2.2, 2.2.2.1). An update writes the next
 * sequence number into the non-current slot and flushes it, then does the same again so both copies
 * agree; a crash between the two leaves the older, still valid header in charge. Updates are serialized
 * by this object's monitor.
 */
final class HeaderSlots {
    private static final long[] SLOT_OFFSETS = {VhdxLayout.HEADER_1_OFFSET, VhdxLayout.HEADER_2_OFFSET};

    private final VhdxStorage storage;
    private VhdxHeader current;
    private int currentSlot;

    private HeaderSlots(VhdxStorage storage, VhdxHeader current, int currentSlot) {
        this.storage = storage;
        this.current = current;
        this.currentSlot = currentSlot;
    }

    /**
     * Picks the current header: the only valid one, or the valid one with the greater sequence number.
     * Two valid headers with equal sequence numbers are accepted only when byte-identical (as Disk2VHD
     * writes them, and as QEMU accepts them); then slot 1 is current.
     */
    static HeaderSlots read(VhdxStorage storage) throws IOException {
        byte[] first = storage.readBytes(SLOT_OFFSETS[0], VhdxHeader.SIZE);
        byte[] second = storage.readBytes(SLOT_OFFSETS[1], VhdxHeader.SIZE);
        boolean valid1 = VhdxHeader.isValid(MemorySegment.ofArray(first));
        boolean valid2 = VhdxHeader.isValid(MemorySegment.ofArray(second));
        if (!valid1 && !valid2) {
            throw new VhdxFormatException(VhdxStructure.HEADER, "Checksum",
                    "neither header has a valid signature and checksum");
        }
        VhdxHeader h1 = valid1 ? VhdxHeader.read(MemorySegment.ofArray(first)) : null;
        VhdxHeader h2 = valid2 ? VhdxHeader.read(MemorySegment.ofArray(second)) : null;
        int slot;
        if (valid1 && valid2) {
            int order = Long.compareUnsigned(h1.sequenceNumber(), h2.sequenceNumber());
            if (order == 0 && !Arrays.equals(first, second)) {
                throw new VhdxFormatException(VhdxStructure.HEADER, "SequenceNumber",
                        "both headers have sequence " + Long.toUnsignedString(h1.sequenceNumber()) + " but differ");
            }
            slot = order >= 0 ? 0 : 1;
        } else {
            slot = valid1 ? 0 : 1;
        }
        VhdxHeader chosen = slot == 0 ? h1 : h2;
        chosen.validate();
        return new HeaderSlots(storage, chosen, slot);
    }

    /** Writes the two headers of a new file: sequence 1 in slot 1 and 2 in slot 2 (current). */
    static HeaderSlots create(VhdxStorage storage, VhdxHeader header) throws IOException {
        write(storage, 0, header.withSequenceNumber(1));
        write(storage, 1, header.withSequenceNumber(2));
        storage.force();
        return new HeaderSlots(storage, header.withSequenceNumber(2), 1);
    }

    synchronized VhdxHeader current() {
        return current;
    }

    /** 1 or 2: which slot holds the current header. */
    synchronized int currentSlotNumber() {
        return currentSlot + 1;
    }

    /** Applies {@code change} to the current header and stores it in both slots, each write flushed. */
    synchronized void update(UnaryOperator<VhdxHeader> change) throws IOException {
        VhdxHeader next = change.apply(current);
        for (int round = 0; round < 2; round++) {
            next = next.withSequenceNumber(current.sequenceNumber() + 1);
            int slot = 1 - currentSlot;
            write(storage, slot, next);
            storage.force();
            current = next;
            currentSlot = slot;
        }
    }

    private static void write(VhdxStorage storage, int slot, VhdxHeader header) throws IOException {
        byte[] bytes = new byte[VhdxHeader.SIZE];
        header.write(MemorySegment.ofArray(bytes));
        storage.writeBytes(SLOT_OFFSETS[slot], bytes);
    }
}
