/**
 * Loading a guest image into a new child partition, entirely through root hypercalls, following the
 * Parvis boot protocol (README "Boot protocol").
 */
package dev.parvis.root.loader;
