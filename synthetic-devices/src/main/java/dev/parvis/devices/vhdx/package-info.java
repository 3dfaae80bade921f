/**
 * VHDX virtual disks ([MS-VHDX]; digest in shared/reference/vhdx.md): create fixed, dynamic and
 * differencing disks, open them trusting nothing (every structure checked, the log replayed first),
 * read and write sectors from many threads, flush through the write-ahead log, grow, merge a child into
 * its parent, and describe a file for management. Entry points: {@link dev.parvis.devices.vhdx.VhdxDisk},
 * {@link dev.parvis.devices.vhdx.VhdxCreator}, {@link dev.parvis.devices.vhdx.VhdxMerge}.
 */
package dev.parvis.devices.vhdx;
