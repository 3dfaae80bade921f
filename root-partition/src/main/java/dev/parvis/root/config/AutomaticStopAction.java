package dev.parvis.root.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the root does with a running VM when the host stops (Hyper-V's {@code AutomaticStopAction}). */
public enum AutomaticStopAction {
    /** Pull the power. */
    @JsonProperty("TURN_OFF") TURN_OFF,
    /** Save the VM's state ({@code saved.state}); Hyper-V's default. */
    @JsonProperty("SAVE") SAVE,
    /** Ask the guest to shut down through the shutdown integration service. */
    @JsonProperty("SHUT_DOWN") SHUT_DOWN
}
