package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcVersion;
import java.util.List;

/** The versions the Parvis host offers in NEGOTIATE, newest first (docs/ic.md). */
public record IcVersions(List<IcVersion> framework, List<IcVersion> message) {
    public static final List<IcVersion> FRAMEWORK = List.of(IcVersion.of(3, 0), IcVersion.of(1, 0));
    public static final List<IcVersion> HEARTBEAT = List.of(IcVersion.of(3, 0), IcVersion.of(1, 0));
    public static final List<IcVersion> SHUTDOWN =
            List.of(IcVersion.of(3, 2), IcVersion.of(3, 1), IcVersion.of(3, 0), IcVersion.of(1, 0));
    public static final List<IcVersion> TIMESYNC = List.of(IcVersion.of(4, 0), IcVersion.of(3, 0), IcVersion.of(1, 0));
    public static final List<IcVersion> KVP = List.of(IcVersion.of(5, 0), IcVersion.of(4, 0), IcVersion.of(3, 0));
    public static final List<IcVersion> FCOPY = List.of(IcVersion.of(1, 1), IcVersion.of(1, 0));

    public IcVersions {
        framework = List.copyOf(framework);
        message = List.copyOf(message);
    }

    public static IcVersions of(List<IcVersion> message) {
        return new IcVersions(FRAMEWORK, message);
    }

    /** The pair the guest chose, both from our lists. */
    public record Negotiated(IcVersion framework, IcVersion message) {
    }
}
