/**
 * storvsp, the storage virtual service provider: a synthetic SCSI controller offered over VMBus
 * (hyperv-abi-vmbus.md section 10, docs/storage.md). Each controller is one channel offer with
 * logical units backed by VHDX disks; EXECUTE_SRB data moves through GPA-direct packets straight
 * between guest pages and the disk file, on each disk's own threads.
 */
package dev.parvis.devices.storvsp;
