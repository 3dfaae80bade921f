/** The Parvis shell: a PowerShell-like language and its commands, over the management API. */
package dev.parvis.shell;
