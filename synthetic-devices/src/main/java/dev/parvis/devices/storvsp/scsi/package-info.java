/**
 * A SCSI direct-access block device (SBC-3/SPC-4 subset): CDB decoding as a pure function, sense
 * data, and the logical unit that executes commands against a virtual disk. Knows nothing of VMBus.
 */
package dev.parvis.devices.storvsp.scsi;
