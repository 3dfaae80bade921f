package dev.parvis.e2e.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.config.VmConfig;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ten-line Java and Python examples, run against a live host. */
class ReadmeExamplesTest {
    @TempDir
    Path dataDir;

    /** The README's Java example, word for word (the README reads the data directory ~/.parvis). */
    static void javaExample(Path dataDir, PrintStream out) {
        ClientOptions options = ClientOptions.fromDataDirectory(dataDir);
        try (ManagementClient host = ThriftManagementClient.connect(options)) {
            for (CimInstance vm : host.query("SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Virtual Machine'")) {
                out.println(vm.text("ElementName").orElse("?") + " " + vm.integer("EnabledState").orElse(0L));
            }
            CimInstance web = host.virtualMachine("web01").orElseThrow();
            MethodResult r = host.invoke(web.path(), "RequestStateChange", Map.of("RequestedState", CimValue.of(2)));
            host.awaitJob(r, Duration.ofMinutes(1), job -> out.println(job.integer("PercentComplete").orElse(0L) + "%"));
            out.println("web01 is " + host.get(web.path()).integer("EnabledState").orElse(0L));
        }
    }

    @Test
    void theJavaAndPythonExamplesRun() throws Exception {
        try (LiveApiHost host = new LiveApiHost(dataDir, 32L << 20)) {
            host.service.create(VmConfig.create("web01", "counter"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            javaExample(dataDir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String java = bytes.toString(StandardCharsets.UTF_8);
            System.out.print("readme java: " + java.replace("\n", "\nreadme java: "));
            System.out.println();
            assertTrue(java.startsWith("web01 3\n") && java.endsWith("web01 is 2\n"), java);

            ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3",
                    Path.of(System.getProperty("parvis.python.interop")).resolveSibling("readme_example.py").toString(), dataDir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT); // the library warns on stderr
            pb.environment().put("PYTHONPATH", System.getProperty("parvis.thrift.py"));
            Process p = pb.start();
            String python = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            System.out.print("readme python: " + python);
            assertEquals(0, p.exitValue(), python);
            assertEquals("web01 2\n", python);
        }
    }
}
