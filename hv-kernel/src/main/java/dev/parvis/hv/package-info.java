/** The thin hypervisor's top level: boot, the root gateway and the services handed to the root partition. */
package dev.parvis.hv;
