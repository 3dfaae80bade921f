/**
 * The host side of the Hyper-V integration services (reference section 9; docs/ic.md): one VMBus
 * pipe-mode channel per service, version negotiation as host, request/response transactions with
 * every guest message checked, and the heartbeat, shutdown, time sync, KVP and file copy providers.
 */
package dev.parvis.devices.ic;
