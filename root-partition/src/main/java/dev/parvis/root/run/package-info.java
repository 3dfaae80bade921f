/** Running one child partition from the command line: its console, its conversation with the root, its end. */
package dev.parvis.root.run;
