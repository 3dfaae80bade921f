package dev.parvis.root.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the root does with a VM when the host starts (Hyper-V's {@code AutomaticStartAction}). */
public enum AutomaticStartAction {
    /** Leave the VM off. */
    @JsonProperty("NOTHING") NOTHING,
    /** Always start the VM. */
    @JsonProperty("START") START,
    /** Start the VM only if it was running when the host stopped. */
    @JsonProperty("START_IF_RUNNING") START_IF_RUNNING
}
