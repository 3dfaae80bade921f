package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.client.ClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Get-VMHost, and reaching other hosts: Register-VMHost (where a remote host's API is and which
 * certificate to pin), Get-Credential, Enter-PSSession and Exit-PSSession (the Hyper-V commands
 * then run on that host until exit).
 */
final class HostCommands {
    static final String HOST_TYPE = "Microsoft.HyperV.PowerShell.VMHost";

    private HostCommands() {
    }

    /** A command that runs once per pipeline input with its spec and body. */
    private record Simple(CommandSpec spec, Body body) implements CommandDefinition {
        interface Body {
            void run(BoundParameters p, CommandContext ctx, dev.parvis.shell.command.Pipe out);
        }

        @Override
        public CommandProcessor create(BoundParameters parameters, CommandContext ctx) {
            return (input, p, out) -> body.run(p, ctx, out);
        }
    }

    static List<CommandDefinition> all() {
        return List.of(getVmHost(), register(), credential(), enter(), exit());
    }

    private static CommandDefinition getVmHost() {
        return new Simple(CommandSpec.named("Get-VMHost").synopsis("Gets the Hyper-V-style host.")
                .description("Outputs the host: its name, how many VMs it has and runs, and the user and role the shell is connected as.")
                .parameter(HyperVParameters.COMPUTER).parameter(HyperVParameters.CREDENTIAL)
                .module(HyperVParameters.MODULE).outputs(HOST_TYPE)
                .example("Get-VMHost", "The local host.").build(), (p, ctx, out) -> {
                    for (VirtualizationHost host : VmTarget.hosts(p, ctx)) {
                        List<CimInstance> vms = host.virtualMachines();
                        CimInstance self = host.query("SELECT * FROM Msvm_ComputerSystem WHERE Caption = 'Hosting Computer System'").stream()
                                .findFirst().orElse(null);
                        out.write(PSObject.of(HOST_TYPE, host.computerName())
                                .add("ComputerName", host.computerName())
                                .add("Name", self == null ? host.computerName() : self.text("ElementName").orElse(host.computerName()))
                                .add("VirtualMachines", vms.size())
                                .add("RunningVirtualMachines", vms.stream().filter(v -> v.integer("EnabledState").orElse(0L) == 2).count())
                                .add("NumaNodes", self == null ? 1L : self.integer("NumberOfNumaNodes").orElse(1L))
                                .add("User", host.client().user())
                                .add("Role", host.client().role()));
                    }
                });
    }

    private static CommandDefinition register() {
        return new Simple(CommandSpec.named("Register-VMHost").synopsis("Makes a remote host reachable with -ComputerName.")
                .description("Records where a host's management API listens and the certificate to trust for it, under a name to use "
                        + "with -ComputerName and Enter-PSSession. -DataDirectory takes all three (endpoint, certificate, first "
                        + "administrator's credential) from a host's data directory on this machine; otherwise give -Address and "
                        + "-CertificatePath, and log in with -Credential or a -CredentialPath file.")
                .parameter(ParameterSpec.of("ComputerName", ParameterKind.STRING, "The name to use for the host.").at(0).required())
                .parameter(ParameterSpec.of("DataDirectory", ParameterKind.STRING, "A host's data directory on this machine.")
                        .completes(ParameterSpec.COMPLETE_PATH))
                .parameter(ParameterSpec.of("Address", ParameterKind.STRING, "host:port of its management API."))
                .parameter(ParameterSpec.of("CertificatePath", ParameterKind.STRING, "Its host-cert.pem.").completes(ParameterSpec.COMPLETE_PATH))
                .parameter(ParameterSpec.of("CredentialPath", ParameterKind.STRING, "A credential file (user=..., password=...).")
                        .completes(ParameterSpec.COMPLETE_PATH))
                .module(HyperVParameters.MODULE).changesState()
                .example("Register-VMHost -ComputerName lab1 -Address 127.0.0.1:5989 -CertificatePath ([System.IO.Path]::GetTempPath() + 'lab1.pem') -WhatIf",
                        "Shows what registering lab1 would do.").build(), (p, ctx, out) -> {
                    String name = p.string("ComputerName");
                    RemoteHosts.Entry e = entry(name, p);
                    if (ctx.shouldProcess(name, "Register-VMHost")) {
                        ctx.service(HostConnections.class).remotes().register(e);
                    }
                });
    }

    private static RemoteHosts.Entry entry(String name, BoundParameters p) {
        if (p.has("DataDirectory")) {
            Path dir = Path.of(p.string("DataDirectory"));
            ClientOptions o;
            try {
                o = ClientOptions.fromDataDirectory(dir);
            } catch (RuntimeException ex) {
                throw new RuntimeError("Cannot read the host's management files in " + dir + ": " + ex.getMessage(), ErrorCategory.READ_ERROR,
                        "NoHostFiles");
            }
            Path credential = dir.resolve(ClientOptions.MANAGEMENT_DIR).resolve(ClientOptions.ADMIN_CREDENTIAL);
            return new RemoteHosts.Entry(name, o.host(), o.port(), o.certificate(), Files.isRegularFile(credential) ? credential : null);
        }
        String address = p.string("Address");
        if (address == null || !address.contains(":") || !p.has("CertificatePath")) {
            throw new RuntimeError("Give -DataDirectory, or -Address host:port with -CertificatePath.", ErrorCategory.INVALID_ARGUMENT, "NoAddress");
        }
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException ex) {
            throw new RuntimeError("The port in '" + address + "' is not a number.", ErrorCategory.INVALID_ARGUMENT, "BadPort");
        }
        return new RemoteHosts.Entry(name, address.substring(0, colon), port, Path.of(p.string("CertificatePath")),
                p.has("CredentialPath") ? Path.of(p.string("CredentialPath")) : null);
    }

    private static CommandDefinition credential() {
        return new Simple(CommandSpec.named("Get-Credential").synopsis("Gets a user name and password to log in to a host with.")
                .description("Asks for a user name and password at the prompt (the password is not shown), or reads them from a "
                        + "credential file (-Path: user=... and password=... lines, as a host writes for its first administrator). "
                        + "Outputs a PSCredential for -Credential.")
                .parameter(ParameterSpec.of("UserName", ParameterKind.STRING, "The user; asked for when not given.").at(0))
                .parameter(ParameterSpec.of("Path", ParameterKind.STRING, "A credential file to read.").completes(ParameterSpec.COMPLETE_PATH))
                .module(HyperVParameters.MODULE).outputs(Credential.TYPE)
                .example("$f = [System.IO.Path]::GetTempPath() + 'example.credential'; 'user=reader1' , 'password=s3cret' | Out-File $f; (Get-Credential -Path $f).UserName",
                        "Reads a credential file; outputs reader1.").build(), (p, ctx, out) -> {
                    if (p.has("Path")) {
                        Properties props;
                        try {
                            props = ClientOptions.credential(Path.of(p.string("Path")));
                        } catch (RuntimeException e) {
                            throw new RuntimeError(e.getMessage(), ErrorCategory.READ_ERROR, "CredentialFile");
                        }
                        out.write(new Credential(props.getProperty("user", ""), props.getProperty("password", "")).toObject());
                        return;
                    }
                    ShellHost host = ctx.service(ShellHost.class);
                    String user = p.has("UserName") ? p.string("UserName") : host.readLine("User: ");
                    String password = host.readSecret("Password for user " + user + ": ");
                    if (user == null || password == null) {
                        throw new RuntimeError("Get-Credential needs someone to type the user and password, or -Path.",
                                ErrorCategory.INVALID_OPERATION, "NoCredentialInput");
                    }
                    out.write(new Credential(user, password).toObject());
                });
    }

    private static CommandDefinition enter() {
        return new Simple(CommandSpec.named("Enter-PSSession").synopsis("Works on a remote host.")
                .description("From now on the Hyper-V commands run on the named host (registered with Register-VMHost) and the "
                        + "prompt shows its name, until Exit-PSSession.")
                .parameter(ParameterSpec.of("ComputerName", ParameterKind.STRING, "The host.").at(0).required())
                .parameter(HyperVParameters.CREDENTIAL)
                .module(HyperVParameters.MODULE)
                .example("Enter-PSSession localhost; Get-VMHost; Exit-PSSession", "Enters a session on the local host and leaves it.")
                .build(), (p, ctx, out) -> {
                    HostConnections hosts = ctx.service(HostConnections.class);
                    VirtualizationHost host = hosts.forComputer(p.string("ComputerName"), Credential.of(p.get("Credential")));
                    hosts.enter(p.string("ComputerName"));
                    ctx.service(ShellSession.class).setPromptPrefix("[" + host.computerName() + "]: ");
                });
    }

    private static CommandDefinition exit() {
        return new Simple(CommandSpec.named("Exit-PSSession").synopsis("Ends the remote session.")
                .description("The Hyper-V commands run on the local host again.")
                .module(HyperVParameters.MODULE)
                .example("Exit-PSSession", "Back to the local host.").build(), (p, ctx, out) -> {
                    ctx.service(HostConnections.class).exit();
                    ctx.service(ShellSession.class).setPromptPrefix("");
                });
    }
}
