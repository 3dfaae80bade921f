package dev.parvis.bench.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuestDiskBenchParseTest {
    private static final String WRITE =
            "[disk-bench] disk-bench: seqwrite-256k-qd4 iops=522 mibps=130.55 noio_iops=149062 noio_mibps=37265.58 ratio=0.003";
    private static final String READ =
            "[disk-bench] disk-bench: seqread-256k-qd4 iops=1263 mibps=315.85 noio_iops=2034976 noio_mibps=508743.95 ratio=0.000";
    private static final String RANDOM =
            "[disk-bench] disk-bench: randread-4k-qd32 iops=7098 mibps=27.65 noio_iops=1506214 noio_mibps=5883.59 ratio=0.004";

    @Test
    void readsEveryWorkloadLineAmongTheGuestsOtherOutput() {
        String output = String.join("\n", "[disk-bench] disk-bench: LUN 0: 131072 blocks of 512 bytes (64 MiB), status 0x0",
                WRITE, READ, RANDOM, "root: disk-bench powered off with status 0 after 0 message(s) to the root", "");
        List<GuestDiskBench.Figure> figures = GuestDiskBench.parse(output);
        assertEquals(List.of("seqwrite-256k-qd4", "seqread-256k-qd4", "randread-4k-qd32"),
                figures.stream().map(GuestDiskBench.Figure::workload).toList());
        GuestDiskBench.Figure random = figures.get(2);
        assertEquals(7098, random.iops());
        assertEquals(27.65, random.mibps());
        assertEquals(1506214, random.noIoIops());
        assertEquals(5883.59, random.noIoMibps());
        assertEquals(7098 / 1506214.0, random.ratio());
    }

    @Test
    void aMissingWorkloadLineFailsNamingTheCount() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GuestDiskBench.parse(WRITE + "\n" + READ));
        assertTrue(e.getMessage().contains("printed 2 result line(s), expected 3"), e.getMessage());
    }

    @Test
    void aTruncatedLineIsNotAResult() {
        String cut = RANDOM.substring(0, RANDOM.indexOf(" noio_mibps"));
        assertThrows(IllegalStateException.class, () -> GuestDiskBench.parse(String.join("\n", WRITE, READ, cut)));
    }

    @Test
    void linesOutOfOrderFail() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GuestDiskBench.parse(String.join("\n", READ, WRITE, RANDOM)));
        assertTrue(e.getMessage().contains("result line 1 is for seqread-256k-qd4"), e.getMessage());
    }
}
