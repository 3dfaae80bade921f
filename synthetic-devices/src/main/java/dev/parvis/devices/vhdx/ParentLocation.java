package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a differencing disk's parent is, resolved from its Parent Locator without trusting it
 * ([MS-VHDX] 2.6.2.6.3). Only {@code relative_path} is used on this host: {@code volume_path} and
 * {@code absolute_win32_path} name Windows volumes and drive letters. The relative path is read with
 * {@code \} (or {@code /}) separators, resolved against the child's directory, and must land, after
 * following directory links, inside one of the allowed parent roots (by default the child's own
 * directory tree). A drive letter, a rooted path or an empty component is refused. The last component
 * is never followed if it is a link: the file is opened with NOFOLLOW_LINKS and must be a regular file.
 */
final class ParentLocation {
    private ParentLocation() {
    }

    static Path resolve(Path child, ParentLocator locator, List<Path> roots) throws IOException {
        String relative = locator.value(ParentLocator.RELATIVE_PATH).orElseThrow(() -> refusal(
                "has no relative_path; volume_path and absolute_win32_path name Windows volumes and are not used here"));
        if (relative.isEmpty() || relative.contains(":") || relative.startsWith("\\") || relative.startsWith("/")) {
            throw refusal("relative_path \"" + relative + "\" is not a relative path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : relative.split("[\\\\/]", -1)) {
            if (part.isEmpty()) {
                throw refusal("relative_path \"" + relative + "\" has an empty component");
            }
            parts.add(part);
        }
        Path childDirectory = child.toAbsolutePath().normalize().getParent();
        Path resolved = childDirectory.resolve(String.join("/", parts)).normalize();
        if (resolved.getParent() == null || resolved.getFileName() == null) {
            throw refusal("relative_path \"" + relative + "\" resolves to the root directory");
        }
        Path directory = resolved.getParent().toRealPath();
        Path candidate = directory.resolve(resolved.getFileName());
        List<Path> allowed = roots.isEmpty() ? List.of(childDirectory) : roots;
        for (Path root : allowed) {
            if (directory.startsWith(root.toAbsolutePath().normalize().toRealPath())) {
                return candidate;
            }
        }
        throw refusal("relative_path \"" + relative + "\" resolves to " + candidate
                + ", outside the allowed parent directories " + allowed);
    }

    /** The relative_path a child at {@code child} stores for a parent at {@code parent}. */
    static String relativePath(Path child, Path parent) {
        Path from = child.toAbsolutePath().normalize().getParent();
        Path to = parent.toAbsolutePath().normalize();
        return from.relativize(to).toString().replace('/', '\\');
    }

    private static VhdxFormatException refusal(String reason) {
        return new VhdxFormatException(VhdxStructure.PARENT_LOCATOR, ParentLocator.RELATIVE_PATH, reason);
    }
}
