package dev.parvis.hv.backend.unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A unicorn engine's code buffer costs no transparent huge page (2 MiB resident per VP before). */
class CodeBufferHugePagesTest {
    @Test
    void anEngineThatRanGuestCodeHoldsNoHugePage() throws IOException {
        assumeTrue(UnicornLibrary.isAvailable());
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")));
        // Measured after the opt-out (made when the library is loaded): where THP is "always", the JVM's
        // own heap may hold huge pages from before it, but no mapping gains one after it.
        UnicornLibrary.load();
        long before = anonHugePagesKib();
        // mov rcx, 1000; dec rcx; jnz -5; hlt: the engine generates code, so its buffer is touched.
        try (BareUnicorn bare = BareUnicorn.withoutHooks(UnicornEngineTest.code("48 C7 C1 E8 03 00 00 48 FF C9 75 FB F4"), 0x4000)) {
            bare.run();
            assertEquals("0", statusField("THP_enabled"), "the process opted out of THP when unicorn was loaded");
            assertEquals(before, anonHugePagesKib(), "KiB of transparent huge pages in the process's mappings (the code buffer gained one)");
        }
    }

    private static String statusField(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse("absent");
    }

    private static long anonHugePagesKib() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/smaps")).stream().filter(l -> l.startsWith("AnonHugePages:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).sum();
    }
}
