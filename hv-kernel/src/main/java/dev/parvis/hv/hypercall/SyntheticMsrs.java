package dev.parvis.hv.hypercall;

import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvSyntheticMsr;
import dev.parvis.abi.hv.input.RegisterValue;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.hv.vp.VpCallbacks;
import java.util.OptionalLong;

/**
 * RDMSR and WRMSR of the synthetic MSRs, as the guest's own register hypercalls: the same
 * {@link VpRegisterFile}, with the guest's (not the root's) rights, so an MSR can never do more
 * than HvCallSetVpRegisters on the VP itself.
 */
public final class SyntheticMsrs implements VpCallbacks.MsrAccess {
    private final Hypervisor hv;
    private final VirtualProcessor vp;

    public SyntheticMsrs(Hypervisor hv, VirtualProcessor vp) {
        this.hv = hv;
        this.vp = vp;
    }

    @Override
    public OptionalLong read(int index) {
        HvRegisterName name = HvSyntheticMsr.register(index);
        if (name == null || index == HvSyntheticMsr.EOM) {
            return OptionalLong.empty();
        }
        RegisterValue value = new VpRegisterFile(hv, vp, false).get(name);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value.low());
    }

    @Override
    public boolean write(int index, long value) {
        HvRegisterName name = HvSyntheticMsr.register(index);
        return name != null && new VpRegisterFile(hv, vp, false).set(name, value, 0);
    }
}
