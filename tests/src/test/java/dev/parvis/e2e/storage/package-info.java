/**
 * End-to-end tests of synthetic storage: gcc-built guests (disk-verify, disk-digest, disk-writeloop,
 * storage-hostile) drive storvsp over VMBus against VHDX files that qemu-img and qemu-io also read and
 * write (reference: hyperv-abi-vmbus.md section 10, vhdx.md).
 */
package dev.parvis.e2e.storage;
