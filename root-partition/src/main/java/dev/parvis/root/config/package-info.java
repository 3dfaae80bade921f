/**
 * The root partition's VM configuration store: one {@code vm.json} per VM, written atomically and never
 * silently overwritten when unreadable (docs/vm-management.md, section "Root").
 */
package dev.parvis.root.config;
