/** The `parvis` command line: subcommands of the root partition's host process. */
package dev.parvis.root.cli;
