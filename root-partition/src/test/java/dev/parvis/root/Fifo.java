package dev.parvis.root;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;

/** Named pipes for tests: a FIFO with no writer blocks an ordinary open for reading forever. */
public final class Fifo {
    private Fifo() {
    }

    public static Path create(Path at) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", at.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo " + at);
        return at;
    }
}
