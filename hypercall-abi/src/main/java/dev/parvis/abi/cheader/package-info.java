/**
 * Generates the C header {@code parvis/hvabi.h} from the Java ABI definitions, so guests and the
 * hypervisor can never disagree on a number or an offset (reference sections 1-5, README.md "Boot
 * protocol", sections 6-8 for VMBus).
 */
package dev.parvis.abi.cheader;
