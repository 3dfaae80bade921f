/**
 * Files from the host's own disk that the root reads on a configuration's word (guest images,
 * {@code vm.json}, {@code saved.state}, virtual disks): hostile input, taken only as regular files of a bounded size,
 * checked on the opened object so a path swapped for a FIFO or a device is still refused.
 */
package dev.parvis.vmcore.hostfile;
