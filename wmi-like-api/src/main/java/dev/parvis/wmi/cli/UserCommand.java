package dev.parvis.wmi.cli;

import dev.parvis.root.config.ConfigStore;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.security.UserStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `parvis user add NAME --role reader|administrator`: a management API user in the host's user store. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage the users of the management API.",
        subcommands = {UserCommand.Add.class})
final class UserCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user; the password is read from standard input with --password-stdin, else generated and written to"
                    + " an owner-only credential file.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true, description = "reader or administrator")
        String role;

        @Option(names = "--password-stdin", description = "read the password (one line) from standard input")
        boolean passwordStdin;

        @Option(names = "--data-dir", description = "data directory (default: PARVIS_DATA_DIR, -Dparvis.data.dir or ~/.parvis)")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            Role r = Role.ofWireName(role).orElse(null);
            if (r == null) {
                System.err.println("parvis user add: --role must be reader or administrator, not '" + role + "'");
                return 2;
            }
            Path dir = (dataDir != null ? dataDir : ConfigStore.defaultDataDirectory()).resolve(ClientOptions.MANAGEMENT_DIR);
            String password = passwordStdin
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine()
                    : UserStore.randomPassword();
            try {
                new UserStore(dir.resolve("users.json")).add(name, r, password == null ? "" : password);
            } catch (IllegalArgumentException e) {
                System.err.println("parvis user add: " + e.getMessage());
                return 2;
            }
            if (passwordStdin) {
                System.out.printf("parvis user add: %s (%s) added%n", name, r.wireName());
            } else {
                Path file = dir.resolve(name + ".credential");
                UserStore.writeCredential(file, name, password);
                System.out.printf("parvis user add: %s (%s) added; credential written to %s (readable by its owner only)%n", name,
                        r.wireName(), file);
            }
            return 0;
        }
    }
}
