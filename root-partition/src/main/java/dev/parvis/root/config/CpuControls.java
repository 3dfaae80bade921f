package dev.parvis.root.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Processor resource controls of a VM, as in Hyper-V's {@code Set-VMProcessor -RelativeWeight -Reserve
 * -Maximum}. The kernel enforces them through the partition properties {@code CPU_WEIGHT},
 * {@code CPU_RESERVE} and {@code CPU_CAP}.
 *
 * @param weight         relative weight against other VMs, 1..10000 (default 100)
 * @param reservePercent share of one logical processor reserved for the VM, 0..100 (default 0)
 * @param limitPercent   most of one logical processor the VM may use, 1..100 (default 100 = no limit)
 */
@JsonPropertyOrder({"weight", "reservePercent", "limitPercent"})
public record CpuControls(
        @JsonProperty("weight") int weight,
        @JsonProperty("reservePercent") int reservePercent,
        @JsonProperty("limitPercent") int limitPercent) {

    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10_000;
    public static final int DEFAULT_WEIGHT = 100;

    /** Weight 100, no reserve, no limit. */
    public static final CpuControls DEFAULT = new CpuControls(DEFAULT_WEIGHT, 0, 100);

    public CpuControls {
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("CPU weight must be 1..10000: " + weight);
        }
        if (reservePercent < 0 || reservePercent > 100) {
            throw new IllegalArgumentException("CPU reserve must be 0..100 percent: " + reservePercent);
        }
        if (limitPercent < 1 || limitPercent > 100) {
            throw new IllegalArgumentException("CPU limit must be 1..100 percent: " + limitPercent);
        }
    }
}
