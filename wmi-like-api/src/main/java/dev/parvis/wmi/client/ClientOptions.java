package dev.parvis.wmi.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Where and as whom to connect: the host's address, the host certificate to pin (its PEM file),
 * the user and password, the socket timeout of a call (a long poll adds its own wait to it), how long a
 * connection may sit idle before the client replaces it (the server closes idle connections after
 * two minutes by default), and how long connecting (TCP, TLS handshake and login) may take: by
 * default the call timeout; shorter for a caller that only probes whether a host is there.
 */
public record ClientOptions(String host, int port, Path certificate, String user, String password, Duration timeout,
                            Duration idleReconnect, Duration connectTimeout) {
    public static final Duration DEFAULT_IDLE_RECONNECT = Duration.ofSeconds(90);

    public ClientOptions(String host, int port, Path certificate, String user, String password, Duration timeout) {
        this(host, port, certificate, user, password, timeout, DEFAULT_IDLE_RECONNECT);
    }

    public ClientOptions(String host, int port, Path certificate, String user, String password, Duration timeout,
                         Duration idleReconnect) {
        this(host, port, certificate, user, password, timeout, idleReconnect, timeout);
    }

    /** The management directory inside a host's data directory. */
    public static final String MANAGEMENT_DIR = "management";
    /** The file the host writes its listening address to ("host:port"). */
    public static final String ENDPOINT_FILE = "endpoint";
    /** The first administrator's credential, written on first start (owner-only). */
    public static final String ADMIN_CREDENTIAL = "admin.credential";

    @Override
    public String toString() {
        return "ClientOptions[" + host + ":" + port + ", certificate " + certificate + ", user " + user + "]";
    }

    public ClientOptions withCredential(String user, String password) {
        return new ClientOptions(host, port, certificate, user, password, timeout, idleReconnect, connectTimeout);
    }

    public ClientOptions withAddress(String host, int port) {
        return new ClientOptions(host, port, certificate, user, password, timeout, idleReconnect, connectTimeout);
    }

    public ClientOptions withIdleReconnect(Duration idle) {
        return new ClientOptions(host, port, certificate, user, password, timeout, idle, connectTimeout);
    }

    /** These options with {@code connect} for connecting (TCP, TLS handshake, login); calls keep {@link #timeout}. */
    public ClientOptions withConnectTimeout(Duration connect) {
        return new ClientOptions(host, port, certificate, user, password, timeout, idleReconnect, connect);
    }

    /**
     * The options of the host whose data directory is {@code dataDir}: its endpoint and
     * certificate, and the first administrator's credential file.
     */
    public static ClientOptions fromDataDirectory(Path dataDir) {
        Path dir = dataDir.resolve(MANAGEMENT_DIR);
        String endpoint = read(dir.resolve(ENDPOINT_FILE)).strip();
        int colon = endpoint.lastIndexOf(':');
        Properties credential = credential(dir.resolve(ADMIN_CREDENTIAL));
        return new ClientOptions(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)),
                dir.resolve("host-cert.pem"), credential.getProperty("user"), credential.getProperty("password"), Duration.ofSeconds(60));
    }

    /** Reads a credential file (user=..., password=...). */
    public static Properties credential(Path file) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the credential " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (is `parvis host` running?): " + e.getMessage(), e);
        }
    }
}
