/**
 * Hypercall dispatch: control-value decoding, validation against each call's published shape,
 * privilege checks, copy-in and copy-out of guest pages, rep continuation, and one small handler
 * per call (reference sections 1 and 3).
 */
package dev.parvis.hv.hypercall;
