package dev.parvis.e2e.vmbus;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.e2e.GuestHarness;
import java.nio.ByteBuffer;

/** vmbus-hostile's answer to one command: {u32 scenario, u32 observed_status, u32 echo_still_works}. */
record HostileReply(int scenario, int observed, int echoStillWorks) {
    /** observed_status when the host never answered. */
    static final int NO_ANSWER = 0xFFFF_FFFF;
    /** observed_status for a scenario number the guest does not know: nothing done but the echo check. */
    static final int UNKNOWN_SCENARIO = 0xFFFF_FFFE;

    static HostileReply read(HvMessage m) {
        ByteBuffer b = GuestHarness.le(m);
        return new HostileReply(b.getInt(), b.getInt(), b.getInt());
    }

    @Override
    public String toString() {
        return "scenario %d: observed 0x%x, echo_still_works %d".formatted(scenario, observed, echoStillWorks);
    }
}
