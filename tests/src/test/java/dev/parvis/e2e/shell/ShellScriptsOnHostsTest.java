package dev.parvis.e2e.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.engine.BufferHost;
import dev.parvis.shell.engine.RunResult;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.shell.jobs.ShellJobs;
import dev.parvis.shell.syntax.SourceText;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.security.UserStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real .ps1 scripts against live hosts: lifecycle.ps1 creates, configures, starts, queries, pipes,
 * formats, saves, restores, pauses, resumes, copies a file into, stops (as a job) and removes VMs
 * that boot the gcc-built icdaemon guest; disks.ps1 attaches a VHDX data disk to a VM, lists and
 * detaches it. Both print the same on the shell's own host and, over the management API's TLS
 * client, on a second host process on loopback (Enter-PSSession).
 */
class ShellScriptsOnHostsTest {
    @TempDir
    Path temp;

    private static String resource(String name) throws IOException {
        try (var in = ShellScriptsOnHostsTest.class.getResourceAsStream("/shell/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Runs the script resource {@code name}.ps1; it must end without an error; returns what it printed. */
    private static String runScript(ShellSession session, BufferHost host, String name) throws IOException {
        host.clear();
        String file = name + ".ps1";
        RunResult r = session.runScript(new SourceText("/shell/" + file, resource(file)), List.of());
        assertEquals("", host.errors(), "errors from " + file + "; output:\n" + host.output());
        assertEquals(0, r.exitCode());
        return host.output();
    }

    /** lifecycle.ps1 then disks.ps1; each output must be the expected one. */
    private static String runScripts(ShellSession session, BufferHost host) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String name : List.of("lifecycle", "disks")) {
            String out = runScript(session, host, name);
            assertEquals(resource(name + ".expected").strip(), out.strip(), name + ".ps1 output");
            all.append(out);
        }
        return all.toString();
    }

    @Test
    void scriptsGiveTheSameOutputLocallyAndOverRemoting() throws Exception {
        Path local = temp.resolve("local");
        Path remote = temp.resolve("remote");
        for (Path d : List.of(local, remote)) {
            Path storage = Files.createDirectories(d.resolve("storage"));
            Files.writeString(storage.resolve("shell-e2e.txt"), "copied by the shell's end-to-end test\n");
        }
        try (HostConnections hosts = ShellHosts.inProcess(local); ShellJobs jobs = new ShellJobs();
             ShellHosts.HostProcess second = new ShellHosts.HostProcess(remote)) {
            BufferHost host = new BufferHost();
            ShellSession session = ShellHosts.session(host, hosts, jobs);

            String localOut = runScripts(session, host);
            assertEquals(1, session.errors().size(), "$Error holds only the error disks.ps1 caught: " + session.errors());
            assertTrue(session.errors().get(0).message().contains("no-such-disk.vhdx"), session.errors().get(0).message());

            host.clear();
            session.run(SourceText.interactive("Register-VMHost -ComputerName hv2 -DataDirectory '" + remote + "'; Enter-PSSession hv2"));
            assertEquals("", host.errors());
            assertEquals("[hv2]: PS> ", session.prompt());
            String remoteOut = runScripts(session, host);
            assertEquals(localOut, remoteOut, "the same scripts over remoting");

            host.clear();
            session.run(SourceText.interactive("Exit-PSSession; (Get-VMHost).User; (Get-VMHost -ComputerName hv2).Role"));
            assertEquals("", host.errors());
            List<String> lines = host.output().lines().toList();
            assertEquals(System.getProperty("user.name"), lines.get(0), "the local host, in-process, acts as this user");
            assertEquals("administrator", lines.get(1), "the remote host logs the shell in as its first administrator");
            assertTrue(Files.readString(second.dataDir.resolve("management").resolve("audit.log")).contains("RequestStateChange"),
                    "the remote host's audit log shows the shell's calls");
        }
    }

    @Test
    void remoteCommandsActWithTheGivenCredentialsRole() throws Exception {
        Path remote = temp.resolve("credentials");
        try (ShellHosts.HostProcess second = new ShellHosts.HostProcess(remote); ShellJobs jobs = new ShellJobs();
             HostConnections hosts = ShellHosts.inProcess(temp.resolve("unused-local"))) {
            // Added while the host runs: it reads its user store at every login.
            new UserStore(remote.resolve("management").resolve("users.json")).add("reader1", Role.READER, "reader-password-1");
            Path good = temp.resolve("reader1.credential");
            Path bad = temp.resolve("wrong.credential");
            Files.writeString(good, "user=reader1\npassword=reader-password-1\n");
            Files.writeString(bad, "user=reader1\npassword=not-the-password\n");
            BufferHost host = new BufferHost();
            ShellSession session = ShellHosts.session(host, hosts, jobs);
            session.run(SourceText.interactive("Register-VMHost -ComputerName hv2 -DataDirectory '" + remote + "'\n"
                    + "New-VM -ComputerName hv2 -Name seen | Out-Null\n"
                    + "$reader = Get-Credential -Path '" + good + "'\n"
                    + "(Get-VMHost -ComputerName hv2 -Credential $reader).Role\n"
                    + "(Get-VM -ComputerName hv2 -Credential $reader).Name\n"
                    + "try { New-VM -ComputerName hv2 -Credential $reader -Name denied } catch { \"denied: $($_.CategoryInfo.Category)\" }\n"
                    + "try { Get-VM -ComputerName hv2 -Credential (Get-Credential -Path '" + bad + "') } catch { \"refused: $($_.CategoryInfo.Category)\" }\n"
                    + "(Get-VM -ComputerName hv2 | Measure-Object).Count"));
            assertEquals("", host.errors());
            assertEquals(List.of("reader", "seen", "denied: PermissionDenied", "refused: AuthenticationError", "1"),
                    host.output().strip().lines().toList(), "the administrator's VM is the only one; the reader saw it and could not add one");
        }
    }

    @Test
    void errorsFromTheHostAreRecordsThatNameTheCommand() throws Exception {
        try (HostConnections hosts = ShellHosts.inProcess(temp.resolve("errors")); ShellJobs jobs = new ShellJobs()) {
            BufferHost host = new BufferHost();
            ShellSession session = ShellHosts.session(host, hosts, jobs);
            session.run(SourceText.interactive("Start-VM -Name nosuchvm"));
            assertTrue(host.errors().startsWith("Start-VM : Hyper-V was unable to find a virtual machine with name \"nosuchvm\".\nAt line:1 char:1"),
                    host.errors());
            assertEquals("InvalidParameter,Parvis.Commands.StartVM", session.errors().get(0).fullyQualifiedErrorId());
            host.clear();
            session.run(SourceText.interactive("New-VM -Name bad -GuestImage no-such-guest"));
            assertTrue(host.errors().contains("GuestImage 'no-such-guest' is not a built guest"), host.errors());
            host.clear();
            session.run(SourceText.interactive("try { Get-VM -Name ghost -ErrorAction Stop } catch { \"caught $($_.CategoryInfo.Category)\" }"));
            assertEquals("caught InvalidArgument", host.output().strip());
        }
    }

    @Test
    void aDiskThatExistsIsNotOverwrittenByNewVhd() throws Exception {
        try (HostConnections hosts = ShellHosts.inProcess(temp.resolve("disks")); ShellJobs jobs = new ShellJobs()) {
            BufferHost host = new BufferHost();
            ShellSession session = ShellHosts.session(host, hosts, jobs);
            session.run(SourceText.interactive("New-VHD -Path d1.vhdx -SizeBytes 64MB | Out-Null"));
            assertEquals("", host.errors());
            session.run(SourceText.interactive("New-VHD -Path d1.vhdx -SizeBytes 32MB"));
            assertTrue(host.errors().startsWith("New-VHD : "), host.errors());
            host.clear();
            session.run(SourceText.interactive("(Get-VHD -Path d1.vhdx).Size / 1MB"));
            assertEquals("64", host.output().strip(), "the first disk is still there, unchanged");
        }
    }
}
