/** The host's storage directories: the only places a remote caller may name files in. */
package dev.parvis.wmi.storage;
