package dev.parvis.wmi.remote;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A connection's answers must leave within a deadline: a client that sends requests and never reads
 * its answers fills the socket buffers, and the server's write (or the TLS close_notify) would then
 * block forever and hold the connection's slot. Each write to the socket is armed on the
 * connection's {@link ConnectionDeadline}, whose expiry closes the TCP socket and so ends the write.
 * Sits below the answer buffer, so it arms once per socket write, not per byte.
 */
final class AnswerDeadline extends FilterOutputStream {
    private final ConnectionDeadline deadline;
    private final Duration within;
    private final String breach;

    AnswerDeadline(OutputStream socket, ConnectionDeadline deadline, Duration within) {
        super(socket);
        this.deadline = deadline;
        this.within = within;
        this.breach = "an answer was not taken within " + within.toMillis() + " ms (the client does not read)";
    }

    @Override
    public void write(int b) throws IOException {
        deadline.arm(within, breach);
        try {
            out.write(b);
        } finally {
            deadline.disarm();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        deadline.arm(within, breach);
        try {
            out.write(b, off, len);
        } finally {
            deadline.disarm();
        }
    }

    @Override
    public void flush() throws IOException {
        deadline.arm(within, breach);
        try {
            out.flush();
        } finally {
            deadline.disarm();
        }
    }
}
