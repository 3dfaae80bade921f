/**
 * CIM data as the management API carries it: values, instances, object paths, method results,
 * intrinsic events, return codes and the API's failures (management model reference section 3).
 */
package dev.parvis.wmi.cim;
