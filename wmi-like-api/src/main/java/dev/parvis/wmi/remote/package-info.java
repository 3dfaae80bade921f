/**
 * The remote management API: the Thrift server (TLS, login, roles, audit, bounded frames, strings,
 * containers, connections and workers) and the conversion between CIM values and the IDL's
 * generated types ({@code dev.parvis.wmi.thrift.gen}, generated at build time, never edited).
 */
package dev.parvis.wmi.remote;
