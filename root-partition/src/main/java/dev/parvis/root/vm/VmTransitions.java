package dev.parvis.root.vm;

/**
 * Which request each state takes (the management model's canonical state machine, §3.7):
 *
 * <pre>
 * request      Off  Starting Running Paused Saving Saved Stopping Failed
 * Start        yes  -        -       -      -      yes   -        -
 * Stop/TurnOff -    -        yes     yes    -      -     -        TurnOff only
 * Pause        -    -        yes     -      -      -     -        -
 * Resume       -    -        -       yes    -      -     -        -
 * Save         -    -        yes     yes    -      -     -        -
 * Delete       yes  -        -       -      -      yes   -        yes
 * Configure    yes  -        yes*    yes*   -      yes*  -        yes
 * Attach/Detach
 *   disk       yes  -        yes     yes    -      -     -        yes
 * </pre>
 * (* name, notes, automatic actions and CPU controls only; hardware changes need Off.) A saved VM
 * takes no disk change: its guest's saved view of the bus would no longer match (Hyper-V refuses it too).
 */
final class VmTransitions {
    private VmTransitions() {}

    static boolean allowed(VmState state, VmRequest request) {
        return switch (request) {
            case VmRequest.Start s -> state instanceof VmState.Off || state instanceof VmState.Saved;
            case VmRequest.Stop s -> isLive(state);
            case VmRequest.TurnOff t -> isLive(state) || state instanceof VmState.Failed;
            case VmRequest.Pause p -> state instanceof VmState.Running;
            case VmRequest.Resume r -> state instanceof VmState.Paused;
            case VmRequest.Save s -> isLive(state);
            case VmRequest.Delete d -> isAtRest(state);
            case VmRequest.Configure c -> isAtRest(state) || isLive(state);
            case VmRequest.AttachDisk a -> isLive(state) || state instanceof VmState.Off || state instanceof VmState.Failed;
            case VmRequest.DetachDisk d -> isLive(state) || state instanceof VmState.Off || state instanceof VmState.Failed;
        };
    }

    /** A partition exists and is not in transition. */
    static boolean isLive(VmState state) {
        return switch (state) {
            case VmState.Running r -> true;
            case VmState.Paused p -> true;
            case VmState.Off o -> false;
            case VmState.Starting s -> false;
            case VmState.Saving s -> false;
            case VmState.Saved s -> false;
            case VmState.Stopping s -> false;
            case VmState.Failed f -> false;
        };
    }

    /** No partition exists: Off, Saved or Failed. */
    static boolean isAtRest(VmState state) {
        return switch (state) {
            case VmState.Off o -> true;
            case VmState.Saved s -> true;
            case VmState.Failed f -> true;
            case VmState.Running r -> false;
            case VmState.Paused p -> false;
            case VmState.Starting s -> false;
            case VmState.Saving s -> false;
            case VmState.Stopping s -> false;
        };
    }
}
