package dev.parvis.hv.backend;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A small gcc-built library that hv-kernel's build puts on the class path under {@code /native}
 * (src/main/c). Loaded in place when the class path is a directory; copied to a temporary file
 * when it is inside a jar, because dlopen needs a file.
 */
public final class NativeShim {
    private NativeShim() {}

    /** The symbols of {@code /native/<fileName>}, loaded for the life of the JVM. */
    public static SymbolLookup load(String fileName) {
        String resource = "/native/" + fileName;
        URL url = NativeShim.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("missing " + resource + " (built by hv-kernel's build with gcc)");
        }
        try {
            Path file;
            if ("file".equals(url.getProtocol())) {
                file = Path.of(url.toURI());
            } else {
                file = Files.createTempFile("parvis-", "-" + fileName);
                file.toFile().deleteOnExit();
                try (InputStream in = url.openStream()) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot load " + resource, e);
        }
    }
}
