package dev.parvis.wmi.cim;

import java.util.Map;
import java.util.Optional;

/**
 * What a CIM method returned: {@link ReturnCode#COMPLETED}, or {@link ReturnCode#JOB_STARTED} with
 * the Msvm_ConcreteJob to poll, or an error code; and its out parameters.
 */
public record MethodResult(ReturnCode returnValue, Optional<ObjectPath> job, Map<String, CimValue> outParameters) {
    public MethodResult {
        outParameters = Map.copyOf(outParameters);
    }

    public static MethodResult completed(Map<String, CimValue> out) {
        return new MethodResult(ReturnCode.COMPLETED, Optional.empty(), out);
    }

    public static MethodResult job(ObjectPath job) {
        return new MethodResult(ReturnCode.JOB_STARTED, Optional.of(job), Map.of("Job", new CimValue.Ref(job)));
    }

    public static MethodResult error(ReturnCode code) {
        return new MethodResult(code, Optional.empty(), Map.of());
    }
}
