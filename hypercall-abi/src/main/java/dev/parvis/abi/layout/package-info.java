/**
 * Little-endian primitive layouts and field accessors every wire record is built from
 * (reference "Conventions": everything is little-endian).
 */
package dev.parvis.abi.layout;
