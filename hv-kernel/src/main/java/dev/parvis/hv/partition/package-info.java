/** Partitions: identity, lifecycle, privileges, memory accounting and the partition table (TLFS "Partitions"). */
package dev.parvis.hv.partition;
