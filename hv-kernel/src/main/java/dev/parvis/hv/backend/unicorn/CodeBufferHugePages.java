package dev.parvis.hv.backend.unicorn;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each unicorn engine's code buffer out of transparent huge pages. libunicorn 2.0.1 maps a
 * 1 GiB TCG code buffer per engine (one engine per VP) and madvises it MADV_HUGEPAGE, as QEMU does;
 * with the host's THP mode "madvise" (Debian's default) the first bytes of code it generates (its
 * prologue, at engine set-up) fault in a whole 2 MiB huge page. Measured in a bare C process with 20
 * engines: 2,868 KiB resident per engine after set-up, 2,048 KiB of it that one huge page
 * (AnonHugePages in smaps); with THP off for the process, 823 KiB. uc_ctl in 2.0.1 has no control
 * of the buffer (2.1's UC_CTL_TCG_BUFFER_INIT, type 13, is refused with UC_ERR_ARG), so the opt-out
 * is the process's: prctl(PR_SET_THP_DISABLE). Nothing else in the hypervisor asks for huge pages
 * (the page pool is plain anonymous memory, the JVM uses THP only when told to), so nothing else
 * changes; a pool that wanted huge pages one day would have to be weighed against this.
 */
final class CodeBufferHugePages {
    private static final Logger LOG = LoggerFactory.getLogger(CodeBufferHugePages.class);
    private static final int PR_SET_THP_DISABLE = 41;

    private CodeBufferHugePages() {
    }

    /** Once per process, before the first engine: a failure is logged and costs only the memory. */
    static void optOut() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1));
            int rc = (int) prctl.invokeExact(PR_SET_THP_DISABLE, 1L, 0L, 0L, 0L);
            if (rc != 0) {
                LOG.warn("prctl(PR_SET_THP_DISABLE) failed: each unicorn engine may hold a 2 MiB huge page");
            }
        } catch (Throwable t) {
            LOG.warn("prctl(PR_SET_THP_DISABLE) unavailable: each unicorn engine may hold a 2 MiB huge page: {}", t.toString());
        }
    }
}
