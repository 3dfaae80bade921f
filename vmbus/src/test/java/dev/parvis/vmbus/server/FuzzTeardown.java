package dev.parvis.vmbus.server;

import java.util.List;
import java.util.TreeSet;

/**
 * The end of a fuzzed run: the host catches up and the guest reads its queue again, the guest closes
 * every channel it has, tears down every GPADL it knows and unloads (the host closes a connection
 * that failed); then nothing of the connection may be left, and a host close after that finds
 * nothing either.
 */
final class FuzzTeardown {
    private final FuzzRun run;
    private final FuzzChecks checks;

    FuzzTeardown(FuzzRun run, FuzzChecks checks) {
        this.run = run;
        this.checks = checks;
    }

    void run() {
        run.devices.mode = FuzzDevice.ACCEPT;
        run.host.queueFull = false;
        run.quiesce();
        run.finish("teardown: the host catches up");
        TreeSet<Integer> channels = new TreeSet<>(run.guest.rings.relids());
        run.guest.opens.forEach(p -> channels.add(p.relid()));
        channels.forEach(relid -> run.postTeardown(relid, true));
        run.quiesce();
        run.finish("teardown: close channels " + channels);
        List<Integer> gpadls = List.copyOf(run.guest.gpadls.keySet());
        gpadls.forEach(handle -> run.postTeardown(handle, false));
        run.quiesce();
        run.finish("teardown: tear down GPADLs " + gpadls.size());
        if (run.call("failure", run.server::failure).isPresent()) {
            run.call("close", run.server::close);
        } else {
            run.postUnload();
        }
        run.quiesce();
        run.finish("teardown: unload");
        checks.released("after the unload");
        run.call("close", run.server::close);
        run.quiesce();
        checks.released("after the host's close");
        checks.guardsIntact();
    }
}
