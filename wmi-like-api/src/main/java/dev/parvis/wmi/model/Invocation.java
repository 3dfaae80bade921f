package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.ObjectPath;

/** One method call: who, on which instance (already checked to exist), with what, over which view. */
record Invocation(Caller caller, ObjectPath target, Params in, ModelView view) {
}
