/**
 * Intrinsic event subscriptions (management model reference section 3.6): each event query keeps
 * the last instances it saw of its class and turns differences into creation, modification
 * (TargetInstance with PreviousInstance) and deletion events, on the WITHIN interval and at once
 * when the VM management service reports a change.
 */
package dev.parvis.wmi.event;
