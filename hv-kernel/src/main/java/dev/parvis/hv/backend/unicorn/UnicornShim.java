package dev.parvis.hv.backend.unicorn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The backend's native shim, libparvis-unicorn.so (src/main/c): the emulator guard, the VP run
 * loop's native half and exact preemption. Loaded once per JVM; loading installs the guard's signal
 * handlers (after the JVM's, to which they chain). Without the shim the backend does not start:
 * running guests unguarded would let one instruction end the host.
 */
final class UnicornShim {
    private static final Logger log = LoggerFactory.getLogger(UnicornShim.class);
    private static final String RESOURCE = "/native/libparvis-unicorn.so";

    static final MethodHandle VP_OPEN, VP_RUN, VP_KICK, VP_CLOSE, VP_OFFSETS, DESCRIBE;
    /**
     * {@code -Dparvis.unicorn.exactPreemption=false} keeps every engine on the block-hook fallback
     * (for comparison); by default engines use exact cross-thread stops when the probe succeeded.
     */
    static final boolean EXACT_PREEMPTION =
            !"false".equalsIgnoreCase(System.getProperty("parvis.unicorn.exactPreemption"));
    /** Where exact preemption found unicorn's no_exit_request flag, or -1 (block-hook fallback). */
    static final long PREEMPT_OFFSET;

    static {
        UnicornLibrary.load();
        Path file = libraryFile();
        SymbolLookup shim = SymbolLookup.libraryLookup(file, Arena.global());
        MethodHandle install = downcall(shim, "parvis_guard_install", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        VP_OPEN = downcall(shim, "parvis_vp_open", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_INT, ADDRESS));
        // Never critical: the run calls Java upcalls (CPUID, port I/O) and may run for a whole slice.
        VP_RUN = downcall(shim, "parvis_vp_run", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        VP_KICK = downcall(shim, "parvis_vp_kick", FunctionDescriptor.ofVoid(ADDRESS));
        VP_CLOSE = downcall(shim, "parvis_vp_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        VP_OFFSETS = downcall(shim, "parvis_vp_offsets", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        DESCRIBE = downcall(shim, "parvis_guard_describe", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
        MethodHandle offset = downcall(shim, "parvis_preempt_offset", FunctionDescriptor.of(JAVA_LONG));
        try (Arena arena = Arena.ofConfined()) {
            int installed = (int) install.invokeExact(arena.allocateFrom(UnicornLibrary.LIBRARY));
            if (installed != 0) {
                throw new IllegalStateException("the emulator guard could not be installed for " + UnicornLibrary.LIBRARY);
            }
            PREEMPT_OFFSET = (long) offset.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (PREEMPT_OFFSET >= 0) {
            log.info("unicorn emulator guard installed; exact preemption (no_exit_request at uc_struct+{})", PREEMPT_OFFSET);
        } else {
            log.warn("unicorn emulator guard installed; exact preemption unavailable for this libunicorn, "
                    + "falling back to a block hook (slower guest code)");
        }
    }

    private UnicornShim() {}

    /** Forces loading (and the guard's installation). */
    static void load() {}

    /** A contained fault's native address as "object+0xoffset". */
    static String describe(long address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(256);
            int ignored = (int) DESCRIBE.invokeExact(address, out, 256);
            return out.getString(0);
        } catch (Throwable t) {
            return "0x" + Long.toHexString(address);
        }
    }

    private static MethodHandle downcall(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException("shim lacks " + name));
        return UnicornLibrary.LINKER.downcallHandle(symbol, fd);
    }

    /** The shim from the class path: used in place when it is a file, copied out of a jar otherwise. */
    private static Path libraryFile() {
        URL url = UnicornShim.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("missing " + RESOURCE + " (built by hv-kernel's build with gcc)");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("parvis-unicorn", ".so");
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
