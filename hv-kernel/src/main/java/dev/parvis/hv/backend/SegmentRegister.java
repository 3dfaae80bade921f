package dev.parvis.hv.backend;

/**
 * A segment register in the TLFS register-value layout: base, limit, selector and the attribute
 * word (type 0-3, S 4, DPL 5-6, P 7, AVL 12, L 13, D/B 14, G 15).
 */
public record SegmentRegister(long base, int limit, short selector, short attributes) {}
