package dev.parvis.devices.storvsp;

import dev.parvis.devices.storvsp.scsi.ScsiCommand;
import dev.parvis.devices.storvsp.scsi.ScsiData;
import dev.parvis.devices.storvsp.scsi.ScsiResult;
import dev.parvis.devices.storvsp.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.SortedSet;

/**
 * REPORT LUNS (SPC-4 6.33), answered by the controller for target 0 whatever LUN it is addressed
 * to: the attached LUNs in single-level peripheral addressing. Clears REPORTED LUNS DATA HAS
 * CHANGED on the units.
 */
final class ReportLuns {
    private ReportLuns() {
    }

    static ScsiResult answer(ScsiCommand.ReportLuns command, StorVsp controller, ScsiData data) {
        if (command.selectReport() > 2 || command.allocationLength() < 16) {
            return ScsiResult.check(Sense.INVALID_FIELD_IN_CDB);
        }
        SortedSet<Integer> luns = controller.lunNumbers();
        ByteBuffer list = ByteBuffer.allocate(8 + 8 * luns.size());
        list.putInt(8 * luns.size()).putInt(0);
        for (int lun : luns) {
            list.putShort((short) lun).putShort((short) 0).putInt(0);
            controller.lun(lun).ifPresent(a -> a.unit().clearUnitAttention(Sense.REPORTED_LUNS_DATA_CHANGED));
        }
        int allocation = (int) Math.min(command.allocationLength(), Integer.MAX_VALUE);
        return ScsiResult.good(data.fill(list.array(), Math.min(list.capacity(), allocation)));
    }
}
