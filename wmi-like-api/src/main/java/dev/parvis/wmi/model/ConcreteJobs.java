package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.job.Job;
import java.util.List;

/** Msvm_ConcreteJob: every job of the host's job table, running or kept after it finished. */
final class ConcreteJobs implements InstanceSource {
    static final String CLASS = "Msvm_ConcreteJob";
    static final CimClass SCHEMA = new CimClass(CLASS, List.of("InstanceID"),
            List.of("InstanceID", "Caption", "Description", "ElementName", "JobType", "JobState", "PercentComplete", "TimeSubmitted",
                    "StartTime", "ElapsedTime", "ErrorCode", "ErrorDescription", "Owner", "Cancellable"),
            List.of("RequestStateChange"));

    @Override
    public CimClass cimClass() {
        return SCHEMA;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        return view.jobs().snapshots().stream().map(ConcreteJobs::render).toList();
    }

    static CimInstance render(Job.Snapshot j) {
        return CimInstance.builder(CLASS).key("InstanceID", j.id().toString().toUpperCase())
                .set("Caption", j.description()).set("Description", j.description()).set("ElementName", j.description())
                .set("JobType", j.type()).set("JobState", j.state().code()).set("PercentComplete", j.percentComplete())
                .set("TimeSubmitted", new CimValue.DateTime(j.timeSubmitted()))
                .set("StartTime", j.startTime().map(CimValue.DateTime::new).orElse(null))
                .set("ElapsedTime", new CimValue.Interval(j.elapsed())).set("ErrorCode", j.errorCode().code())
                .set("ErrorDescription", j.errorDescription()).set("Owner", j.owner()).set("Cancellable", j.cancellable()).build();
    }
}
