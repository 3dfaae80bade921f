package dev.parvis.wmi.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.wmi.model.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordHasherTest {
    @TempDir
    Path tmp;

    @Test
    void hashesAreSaltedArgon2idAndVerifyOnlyTheRightPassword() {
        String a = PasswordHasher.hash("correct horse battery");
        String b = PasswordHasher.hash("correct horse battery");
        assertTrue(a.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), a);
        assertNotEquals(a, b, "a fresh salt per hash");
        assertTrue(PasswordHasher.verify("correct horse battery", a));
        assertFalse(PasswordHasher.verify("correct horse batterY", a));
        assertFalse(PasswordHasher.verify("x", "$argon2id$v=19$m=999999999,t=2,p=1$AAAA$AAAA"), "absurd cost is refused");
        assertFalse(PasswordHasher.verify("x", "not a hash"));
    }

    @Test
    void theUserStoreIsOwnerOnlyAndAuthenticatesByRole() throws Exception {
        UserStore users = new UserStore(tmp.resolve("m/users.json"));
        users.add("alice", Role.ADMINISTRATOR, "alice-password-1");
        users.add("bob", Role.READER, "bob-password-123");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users.file())));
        assertEquals(Optional.of(Role.ADMINISTRATOR), users.authenticate("alice", "alice-password-1"));
        assertEquals(Optional.of(Role.READER), users.authenticate("bob", "bob-password-123"));
        assertEquals(Optional.empty(), users.authenticate("bob", "alice-password-1"));
        assertEquals(Optional.empty(), users.authenticate("carol", "whatever-password"));
        assertFalse(Files.readString(users.file()).contains("alice-password-1"), "no password in the file");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> users.add("alice", Role.READER, "another-pass-1"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> users.add("bad name", Role.READER, "password-12345"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> users.add("short", Role.READER, "short"));
    }
}
