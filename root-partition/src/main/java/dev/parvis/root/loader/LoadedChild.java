package dev.parvis.root.loader;

import dev.parvis.abi.boot.BootInfo;

/** A child the loader started: its partition, the boot information it got, and its channels to the root. */
public record LoadedChild(long partitionId, String name, BootInfo bootInfo, ChildChannels channels) {}
