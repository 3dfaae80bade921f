/**
 * The Java client of the management API: {@link dev.parvis.wmi.client.ManagementClient}, with an
 * in-process implementation over the host's model and a Thrift implementation over TLS. The shell
 * and the command line use either.
 */
package dev.parvis.wmi.client;
