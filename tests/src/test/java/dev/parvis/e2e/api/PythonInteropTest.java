package dev.parvis.e2e.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python client generated from the same IDL by the build and run with Debian's python3-thrift
 * (tests/src/test/python/parvis_interop.py) lists the VMs, starts one and reads its state.
 */
class PythonInteropTest {
    @TempDir
    Path dataDir;

    @Test
    void aPythonClientListsStartsAndReadsAVm() throws Exception {
        try (LiveApiHost host = new LiveApiHost(dataDir, 32L << 20)) {
            UUID id = host.service.create(VmConfig.create("py-vm", "counter")).id();
            host.service.create(VmConfig.create("py-other", "counter"));
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", property("parvis.python.interop"), host.adminOptions.host(),
                    Integer.toString(host.adminOptions.port()), host.adminOptions.certificate().toString(), host.adminOptions.user(),
                    host.adminOptions.password(), "py-vm").redirectError(ProcessBuilder.Redirect.INHERIT); // the library warns on stderr
            pb.environment().put("PYTHONPATH", property("parvis.thrift.py"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python finished");
            System.out.print("python: " + out.replace("\n", "\npython: "));
            System.out.println();
            assertEquals(0, p.exitValue(), out);
            List<String> lines = out.lines().toList();
            assertTrue(lines.contains("vm py-vm state=3") && lines.contains("vm py-other state=3"), out);
            assertTrue(lines.contains("py-vm state=2"), out);
            assertInstanceOf(VmState.Running.class, host.service.get(id).orElseThrow().state());
        }
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new AssertionError("system property " + name + " is not set (run through Maven)");
        }
        return v;
    }
}
