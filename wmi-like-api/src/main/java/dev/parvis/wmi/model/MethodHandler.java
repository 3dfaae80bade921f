package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.MethodResult;

/** One CIM method of one class. */
@FunctionalInterface
interface MethodHandler {
    MethodResult invoke(Invocation call);
}
