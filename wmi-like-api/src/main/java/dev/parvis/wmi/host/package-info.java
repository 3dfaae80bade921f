/** A host's management surface assembled: the model, the TLS Thrift server, users, certificate and audit log in the data directory. */
package dev.parvis.wmi.host;
