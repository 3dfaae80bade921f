/**
 * Log budgets for lines a guest can cause: every site that logs on a guest's behalf spends from a
 * bounded budget, so a hostile guest can neither fill the host's disk nor drown other partitions' lines.
 */
package dev.parvis.vmcore.log;
