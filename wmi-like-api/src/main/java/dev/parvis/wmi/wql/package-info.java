/**
 * WQL (management model reference section 3.6): the ANTLR grammar's parse tree turned into
 * {@link dev.parvis.wmi.wql.WqlQuery} records, and the evaluation of WHERE clauses with WMI's rules
 * (case-insensitive strings, NULL compares as unknown, LIKE with % _ and [ ] sets).
 */
package dev.parvis.wmi.wql;
