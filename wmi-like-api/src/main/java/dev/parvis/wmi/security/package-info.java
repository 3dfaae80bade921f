/**
 * The management server's security: users with Argon2id password hashes, the host's TLS
 * certificate generated on first start, and the audit log.
 */
package dev.parvis.wmi.security;
