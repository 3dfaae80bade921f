package dev.parvis.shell.hyperv;

import dev.parvis.wmi.client.ManagementClient;

/**
 * A connected Hyper-V-style host: the management client and the name the shell shows for it
 * (ComputerName). {@code owned} resources (an in-process host) close with it.
 */
public record HostConnection(String computerName, ManagementClient client, AutoCloseable owned) implements AutoCloseable {
    @Override
    public void close() {
        try {
            client.close();
        } finally {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception e) {
                    // closing the host on the way out: nothing more to do with it
                }
            }
        }
    }
}
