/**
 * Msvm_ConcreteJob (management model reference section 3.5): asynchronous method work with state,
 * real percent complete, times, error code and description, and cancellation where the work allows it.
 */
package dev.parvis.wmi.job;
