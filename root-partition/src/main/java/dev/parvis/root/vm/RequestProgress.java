package dev.parvis.root.vm;

/**
 * Where a long request (start, restore, save) has got to, in percent, reported by the VM's worker
 * at the real steps of the operation (admission, partition built, devices attached; saved-state
 * read; guest pages copied, file written). Called on the worker thread: implementations must not
 * block. Values only grow within one request; 100 is reported when the request completes.
 */
@FunctionalInterface
public interface RequestProgress {
    RequestProgress NONE = percent -> { };

    void report(int percentComplete);
}
