package dev.parvis.wmi.model;

import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.wmi.storage.StorageDirectories;
import java.nio.file.Path;

/**
 * What the model knows of its host: its name (the host Msvm_ComputerSystem), the directories a
 * remote caller may name files in, the built guests (a VSSD's GuestImage may name one), and the
 * disk service.
 */
public record HostInfo(String hostName, StorageDirectories storage, Path guestsDir, VirtualDiskService disks) {
}
