package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.Wildcard;
import dev.parvis.wmi.cim.CimInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A virtual machine a command acts on: its host and its Msvm_ComputerSystem. */
record VmTarget(VirtualizationHost host, CimInstance system) {
    String name() {
        return system.text("ElementName").orElse("");
    }

    String guid() {
        return system.text("Name").orElseThrow().toUpperCase(Locale.ROOT);
    }

    /**
     * The VMs a command names: its -VM objects (looked up again, by id, on their own hosts), else its
     * -Name patterns on each -ComputerName (or the current host). A name that matches nothing is a
     * non-terminating error, as in Hyper-V.
     */
    static List<VmTarget> resolve(BoundParameters p, CommandContext ctx) {
        HostConnections hosts = ctx.service(HostConnections.class);
        Credential credential = Credential.of(p.get("Credential"));
        List<VmTarget> out = new ArrayList<>();
        for (Object o : p.objects("VM")) {
            PSObject vm = (PSObject) o;
            VirtualizationHost host = hosts.forComputer(String.valueOf(vm.get("ComputerName")), credential);
            host.vmById(String.valueOf(vm.get("Id"))).ifPresentOrElse(cs -> out.add(new VmTarget(host, cs)),
                    () -> ctx.writeError(HyperVErrors.vmNotFound(String.valueOf(vm.get("Name"))).record()));
        }
        if (!p.has("VM")) {
            for (VirtualizationHost host : hosts(p, ctx)) {
                out.addAll(byName(host, p.strings("Name"), ctx));
            }
        }
        return out;
    }

    static List<VirtualizationHost> hosts(BoundParameters p, CommandContext ctx) {
        HostConnections hosts = ctx.service(HostConnections.class);
        Credential credential = Credential.of(p.get("Credential"));
        List<String> names = p.strings("ComputerName");
        if (names.isEmpty()) {
            return List.of(hosts.current(credential));
        }
        return names.stream().map(n -> hosts.forComputer(n, credential)).toList();
    }

    private static List<VmTarget> byName(VirtualizationHost host, List<String> patterns, CommandContext ctx) {
        List<CimInstance> vms = host.virtualMachines();
        List<VmTarget> out = new ArrayList<>();
        if (patterns.isEmpty()) {
            vms.forEach(v -> out.add(new VmTarget(host, v)));
            return out;
        }
        for (String pattern : patterns) {
            boolean found = false;
            for (CimInstance v : vms) {
                if (Wildcard.matches(pattern, v.text("ElementName").orElse(""), false)) {
                    out.add(new VmTarget(host, v));
                    found = true;
                }
            }
            if (!found && !Wildcard.hasWildcards(pattern)) {
                ctx.writeError(HyperVErrors.vmNotFound(pattern).record());
            }
        }
        return out;
    }
}
