/**
 * The CIM-style object model over the root's VM management service (management model reference
 * sections 3.1-3.7): Msvm_* classes rendered from the service's state on each read, methods that
 * turn into the service's immutable requests (often as jobs), associations navigable both ways,
 * WQL execution and intrinsic event subscriptions.
 */
package dev.parvis.wmi.model;
