/**
 * The {@code unicorn} processor backend: one libunicorn 2.x instance per virtual processor, driven
 * through java.lang.foreign, with guest exits decoded by a pure function (ARCHITECTURE.md section 3).
 */
package dev.parvis.hv.backend.unicorn;
