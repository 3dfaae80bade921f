/**
 * The language's values and their semantics: arrays, hashtables and property objects, conversions,
 * comparison, arithmetic, operators, member access and the whitelisted static members, error records.
 */
package dev.parvis.shell.runtime;
