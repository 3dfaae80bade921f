package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.ArgumentCompletions;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;

/** Parameters the Hyper-V commands share, with Hyper-V's names. */
final class HyperVParameters {
    static final String MODULE = "Parvis.HyperV";

    static final ParameterSpec NAME = ParameterSpec.of("Name", ParameterKind.STRING_ARRAY,
            "The name(s) of the virtual machine(s); wildcards allowed.").at(0).alias("VMName")
            .fromPipeline(PipelineInput.BY_PROPERTY_NAME).completes(ArgumentCompletions.VM_NAMES);
    static final ParameterSpec VM = ParameterSpec.of("VM", ParameterKind.TYPED_OBJECTS,
            "Virtual machine objects (from Get-VM), usually piped in.").ofType(VmObjects.VM_TYPE).fromPipeline(PipelineInput.BY_VALUE);
    static final ParameterSpec COMPUTER = ParameterSpec.of("ComputerName", ParameterKind.STRING_ARRAY,
            "The host(s) to run on: the local host by default, or a host registered with Register-VMHost.")
            .fromPipeline(PipelineInput.BY_PROPERTY_NAME);
    static final ParameterSpec CREDENTIAL = ParameterSpec.of("Credential", ParameterKind.OBJECT,
            "The user to log in to a remote host as (a PSCredential from Get-Credential).");
    static final ParameterSpec AS_JOB = ParameterSpec.of("AsJob", ParameterKind.SWITCH,
            "Runs the command as a background job (see Get-Job, Wait-Job, Receive-Job).");
    static final ParameterSpec PASSTHRU = ParameterSpec.of("Passthru", ParameterKind.SWITCH,
            "Outputs the virtual machine object after the change.");

    private HyperVParameters() {
    }
}
