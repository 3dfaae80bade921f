package dev.parvis.vmcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebugLinesTest {
    private record Line(long partition, String text, boolean continued) {}

    private final List<Line> lines = new ArrayList<>();
    private final DebugLines debug = new DebugLines(16, (id, text, continued) -> lines.add(new Line(id, text, continued)));

    private void post(long id, String s) {
        debug.debugData(id, s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bytesBecomeLinesPerPartitionAcrossPosts() {
        post(1, "hel");
        post(2, "other\n");
        post(1, "lo\nwor");
        post(1, "ld\n");
        assertEquals(List.of(new Line(2, "other", false), new Line(1, "hello", false), new Line(1, "world", false)), lines);
    }

    @Test
    void aLineWithoutANewlineIsHandedOnInBoundedPiecesAndNothingGrows() {
        long[] pieces = {0};
        DebugLines bounded = new DebugLines(16, (id, text, continued) -> {
            assertEquals(16, text.length());
            assertTrue(continued, "a piece of a longer line is marked");
            pieces[0]++;
        });
        byte[] flood = new byte[4088];
        Arrays.fill(flood, (byte) 'A');
        for (int i = 0; i < 10_000; i++) {
            bounded.debugData(7, flood);
        }
        assertEquals(10_000L * 4088 / 16 - 1, pieces[0], "every full piece but the one still open was handed on");
        assertEquals(16, bounded.keptBytes(), "only the one bounded partial line is kept");
    }

    @Test
    void controlCharactersAreDroppedAndAGonePartitionsLastLineIsHandedOn() {
        post(3, "a\u0007b\tc\rd");
        debug.partitionGone(3);
        assertEquals(List.of(new Line(3, "ab\tcd", false)), lines);
        assertEquals(0, debug.keptBytes());
    }

    @Test
    void partialLinesOfAtMostAThousandPartitionsAreKept() {
        for (long id = 0; id < 5_000; id++) {
            post(id, "x");
        }
        assertEquals(DebugLines.MAX_PARTITIONS * 16, debug.keptBytes());
    }
}
