package dev.parvis.shell.jobs;

import dev.parvis.shell.runtime.PSObject;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/** From a job object a script holds back to its job. */
final class JobRegistryLink {
    private static final Map<PSObject, ShellJob> JOBS = Collections.synchronizedMap(new WeakHashMap<>());

    private JobRegistryLink() {
    }

    static void link(PSObject o, ShellJob job) {
        JOBS.put(o, job);
    }

    static ShellJob jobOf(Object o) {
        return o instanceof PSObject p ? JOBS.get(p) : null;
    }
}
