/**
 * The root's storage: virtual hard disk operations as the management layer calls them (Hyper-V's
 * image management service: create, inspect, resize, merge VHDX files, {@link
 * dev.parvis.root.storage.VhdxDiskService}) and a running VM's disks behind its synthetic SCSI
 * controllers ({@link dev.parvis.root.storage.VmStorage}).
 */
package dev.parvis.root.storage;
