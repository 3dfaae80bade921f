package dev.parvis.devices.vhdx;

import java.nio.file.Path;
import java.util.List;

/**
 * How to open a disk. {@code parentRoots} are the directories a differencing disk's parent may be
 * found in (empty = only the child's own directory and below); {@code maxChainDepth} bounds the
 * number of parents. Parents are always opened read-only.
 */
public record OpenOptions(boolean writable, List<Path> parentRoots, int maxChainDepth) {
    public static final int DEFAULT_MAX_CHAIN_DEPTH = 16;

    public OpenOptions {
        parentRoots = List.copyOf(parentRoots);
        if (maxChainDepth < 0) {
            throw new IllegalArgumentException("maxChainDepth " + maxChainDepth);
        }
    }

    public static OpenOptions readOnly() {
        return new OpenOptions(false, List.of(), DEFAULT_MAX_CHAIN_DEPTH);
    }

    public static OpenOptions readWrite() {
        return new OpenOptions(true, List.of(), DEFAULT_MAX_CHAIN_DEPTH);
    }

    public OpenOptions withParentRoots(Path... roots) {
        return new OpenOptions(writable, List.of(roots), maxChainDepth);
    }

    public OpenOptions withWritable(boolean value) {
        return new OpenOptions(value, parentRoots, maxChainDepth);
    }

    /** The options a parent is opened with: read-only, same roots, one level less of depth. */
    OpenOptions forParent() {
        return new OpenOptions(false, parentRoots, maxChainDepth);
    }
}
