package dev.parvis.hv.backend.unicorn;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Precise preemption of one engine. libunicorn 2.0.1 cannot be stopped safely from another thread:
 * an asynchronous uc_emu_stop lets the chain of translation blocks exit without restoring the
 * guest PC, so re-entry repeats instructions (seen as a stack pointer that drifts under kicks).
 * Instead, a native UC_HOOK_BLOCK callback (src/main/c/unicorn_kick.c) checks a flag at every block
 * boundary, after unicorn has synchronised the PC, and stops there. Kicking sets the flag from any
 * thread; the flag stays set until a block sees it, so a kick is never lost either.
 */
final class UnicornKick implements AutoCloseable {
    private static final String RESOURCE = "/native/libparvis-unicorn-kick.so";
    /** struct parvis_kick { i32 requested; i32 stopped; void *emu_stop; }. */
    private static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("requested"),
            ValueLayout.JAVA_INT.withName("stopped"),
            ValueLayout.ADDRESS.withName("emu_stop"));
    private static final VarHandle REQUESTED = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("requested"));
    private static final VarHandle STOPPED = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("stopped"));
    private static final MemorySegment HOOK = loadHook();

    /** Shared: the kernel kicks from any thread; the VP thread reads and clears. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(LAYOUT);

    UnicornKick(UnicornLibrary library) {
        state.set(ValueLayout.ADDRESS, LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("emu_stop")), library.emuStopAddress());
    }

    /** Installs the block hook on a cpu; the hook reads this object's native state. */
    void install(UnicornCpu cpu) {
        cpu.library().hookAdd(cpu.handle(), UnicornAbi.UC_HOOK_BLOCK, HOOK, state, 1, 0);
    }

    /** Asks the engine to stop at its next block boundary (any thread). */
    void request() {
        REQUESTED.setRelease(state, 0L, 1);
    }

    /** Withdraws a request not yet seen (the run it was meant for never started). */
    void withdraw() {
        REQUESTED.setRelease(state, 0L, 0);
    }

    /** True, once, if the hook ended the last run; called by the VP thread after uc_emu_start. */
    boolean consumeStopped() {
        boolean stopped = (int) STOPPED.getAcquire(state, 0L) != 0;
        if (stopped) {
            STOPPED.setRelease(state, 0L, 0);
        }
        return stopped;
    }

    /** After uc_close only: the hook may no longer run. */
    @Override
    public void close() {
        arena.close();
    }

    private static MemorySegment loadHook() {
        Path library = libraryFile();
        return SymbolLookup.libraryLookup(library, Arena.global()).find("parvis_kick_block_hook")
                .orElseThrow(() -> new IllegalStateException(library + " has no parvis_kick_block_hook"));
    }

    /** The shim from the class path: used in place when it is a file, copied out of a jar otherwise. */
    private static Path libraryFile() {
        URL url = UnicornKick.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("missing " + RESOURCE + " (built by hv-kernel's build with gcc)");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("parvis-unicorn-kick", ".so");
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot load " + RESOURCE, e);
        }
    }
}
