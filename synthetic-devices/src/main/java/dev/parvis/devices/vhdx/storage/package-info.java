/**
 * Where the bytes of a VHDX file live: positional reads and writes with explicit durability points
 * ({@code force}), over a regular file (FileChannel), a heap array, or a read-only view with a log
 * replayed in memory ([MS-VHDX] 2.3.3 note 5).
 */
package dev.parvis.devices.vhdx.storage;
