/**
 * The root's virtual hard disk operations as the management layer calls them (Hyper-V's image
 * management service: create, inspect, resize, merge VHDX files); implemented over the VHDX
 * library when storage lands.
 */
package dev.parvis.root.storage;
