/**
 * Integration-service (IC) wire definitions as data: the icmsg header, version negotiation,
 * heartbeat, shutdown, time sync, KVP and file copy bodies (reference section 9; docs/ic.md). No I/O
 * and no state; exported to C in {@code parvis/hvabi.h} as {@code IC_*} macros and {@code ic_*} structs.
 */
package dev.parvis.abi.ic;
