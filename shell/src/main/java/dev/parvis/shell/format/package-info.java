/** Turning objects into text: tables (streamed, widths from the first rows), lists, and the default views of types. */
package dev.parvis.shell.format;
