/** The storage benchmark's data paths: storvsp over the VMBus loopback driven by the Java storvsc, and the raw file. */
package dev.parvis.bench.storage;
