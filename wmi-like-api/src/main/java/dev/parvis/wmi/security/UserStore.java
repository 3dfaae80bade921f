package dev.parvis.wmi.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parvis.wmi.model.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The management users of a host: {@code users.json} (owner-only, written atomically) with each
 * user's name, role and Argon2id hash. An unknown user costs a verification like a known one, so
 * timing does not tell which names exist.
 */
public final class UserStore {
    public static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DUMMY_HASH = PasswordHasher.hash("parvis-no-such-user");

    /** One stored user. */
    public record User(@JsonProperty("name") String name, @JsonProperty("role") String role, @JsonProperty("hash") String hash) {
    }

    private final Path file;

    public UserStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized List<User> users() {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<User>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the user store " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean isEmpty() {
        return users().isEmpty();
    }

    /** Adds a user (the name must be new). */
    public synchronized void add(String name, Role role, String password) {
        if (!name.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException("user names are 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)");
        }
        if (password.length() < 12) {
            throw new IllegalArgumentException("passwords have at least 12 characters");
        }
        List<User> users = new ArrayList<>(users());
        if (users.stream().anyMatch(u -> u.name().equals(name))) {
            throw new IllegalArgumentException("user '" + name + "' already exists");
        }
        users.add(new User(name, role.wireName(), PasswordHasher.hash(password)));
        write(users);
    }

    /** The user's role when the password is right; empty otherwise. */
    public Optional<Role> authenticate(String name, String password) {
        Optional<User> user = users().stream().filter(u -> u.name().equals(name)).findFirst();
        boolean ok = PasswordHasher.verify(password, user.map(User::hash).orElse(DUMMY_HASH));
        return ok && user.isPresent() ? Role.ofWireName(user.get().role()) : Optional.empty();
    }

    /** A random password of 24 URL-safe characters (144 bits). */
    public static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private void write(List<User> users) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(users));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the user store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code user=..} and {@code password=..} to a new owner-only file. */
    public static void writeCredential(Path file, String user, String password) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "user=" + user + "\npassword=" + password + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the credential " + file + ": " + e.getMessage(), e);
        }
    }
}
