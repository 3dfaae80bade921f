package dev.parvis.root.loader;

import dev.parvis.abi.boot.BootInfo;

/**
 * A child the loader started: its partition, the boot information it got, its channels to the root,
 * and the root pages that became its RAM (the root frees them after the partition is deleted).
 */
public record LoadedChild(long partitionId, String name, BootInfo bootInfo, ChildChannels channels, long[] ramPages) {}
