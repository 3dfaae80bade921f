/**
 * The Hyper-V-style commands (Get-VM, Start-VM, New-VHD, ...), each a client of the management API
 * (dev.parvis.wmi.client): WQL queries and Msvm_* methods with jobs, on the local host or a remote
 * one over the Thrift client.
 */
package dev.parvis.shell.hyperv;
