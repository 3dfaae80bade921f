/**
 * The storvsc/storvsp wire format (SCSI over VMBus; shared/reference/hyperv-abi-vmbus.md section 10,
 * after Linux's drivers/scsi/storvsc_drv.c): vstor packets, the vmscsi request block with its Win8
 * extension, protocol versions, channel properties and the status codes they carry. Data only: no
 * I/O, no state.
 */
package dev.parvis.devices.storvsp.protocol;
