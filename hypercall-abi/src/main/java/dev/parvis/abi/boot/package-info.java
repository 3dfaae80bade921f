/**
 * The Parvis boot protocol: the guest-physical memory map of a freshly loaded child and the
 * boot information page it finds in RDI (README.md, "Boot protocol").
 */
package dev.parvis.abi.boot;
