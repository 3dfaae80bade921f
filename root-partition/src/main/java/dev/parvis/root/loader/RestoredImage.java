package dev.parvis.root.loader;

import dev.parvis.abi.boot.BootInfo;
import dev.parvis.vmcore.RootPageView;

/**
 * What {@link ChildLoader#restore} rebuilds a saved child from: its RAM (GPN 1 to
 * {@code pageCount}), the map rights of each GPN, its VP count and the boot information it was
 * started with.
 */
public interface RestoredImage {
    String name();

    /** Guest pages from GPN 1, contiguous (the boot protocol's RAM). */
    int pageCount();

    /** Rights per GPN, index = GPN, length {@code pageCount() + 1}. */
    int[] rights();

    int vpCount();

    BootInfo bootInfo();

    /** Writes every saved page into {@code view}: page {@code i} of the view is GPN {@code i + 1}. */
    void fill(RootPageView view);
}
