package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.client.ClientOptions;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The remote hosts this user has registered (Register-VMHost), one file each under
 * {@code <data>/remote-hosts}: the address of the host's management API, the certificate to pin,
 * and optionally a credential file to log in with when no -Credential is given.
 */
final class RemoteHosts {
    private final Path dir;

    RemoteHosts(Path dataDirectory) {
        this.dir = dataDirectory.resolve("remote-hosts");
    }

    /** What is known of one remote host. */
    record Entry(String name, String host, int port, Path certificate, Path credential) {
    }

    void register(Entry e) {
        Properties p = new Properties();
        p.setProperty("address", e.host() + ":" + e.port());
        p.setProperty("certificate", e.certificate().toAbsolutePath().toString());
        if (e.credential() != null) {
            p.setProperty("credential", e.credential().toAbsolutePath().toString());
        }
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(file(e.name()))) {
                p.store(w, "Parvis remote host " + e.name());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file(e.name()) + ": " + ex.getMessage(), ex);
        }
    }

    Entry find(String name) {
        Path f = file(name);
        if (!Files.isRegularFile(f)) {
            throw new RuntimeError("The computer '" + name + "' is not known to this shell. Register it first: Register-VMHost -ComputerName "
                    + name + " -DataDirectory <its data directory> (or -Address host:port -CertificatePath <host-cert.pem>).",
                    ErrorCategory.OBJECT_NOT_FOUND, "UnknownComputer");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        String address = p.getProperty("address", "");
        int colon = address.lastIndexOf(':');
        String cred = p.getProperty("credential");
        return new Entry(name, address.substring(0, Math.max(0, colon)), Integer.parseInt(address.substring(colon + 1)),
                Path.of(p.getProperty("certificate")), cred == null ? null : Path.of(cred));
    }

    List<String> names() {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".properties"))
                    .map(n -> n.substring(0, n.length() - ".properties".length())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Client options for {@code e}, logging in with {@code credential} or the registered credential file. */
    static ClientOptions options(Entry e, Credential credential) {
        String user;
        String password;
        if (credential != null) {
            user = credential.userName();
            password = credential.password();
        } else if (e.credential() != null) {
            Properties p = ClientOptions.credential(e.credential());
            user = p.getProperty("user");
            password = p.getProperty("password");
        } else {
            throw new RuntimeError("No credential for " + e.name() + ": give -Credential (Get-Credential) or register the host with -CredentialPath.",
                    ErrorCategory.AUTHENTICATION_ERROR, "NoCredential");
        }
        return new ClientOptions(e.host(), e.port(), e.certificate(), user, password, Duration.ofSeconds(60));
    }

    private Path file(String name) {
        String safe = name.toLowerCase(Locale.ROOT);
        if (!safe.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
            throw new RuntimeError("'" + name + "' is not a valid computer name.", ErrorCategory.INVALID_ARGUMENT, "BadComputerName");
        }
        return dir.resolve(safe + ".properties");
    }
}
