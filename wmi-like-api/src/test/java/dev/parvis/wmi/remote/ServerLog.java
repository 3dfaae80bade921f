package dev.parvis.wmi.remote;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * What the server said while open: every WARN and ERROR line logged anywhere in the process
 * (libthrift's processor logs a handler's undeclared exception at ERROR), every exception that
 * escaped a thread, and how many password checks the audit log recorded (each is an Argon2 hash,
 * which holds 19 MiB by design).
 */
final class ServerLog implements AutoCloseable {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger audit;
    private final List<String> lines = new ArrayList<>();
    private final AtomicInteger passwordChecks = new AtomicInteger();
    private final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    private final AppenderBase<ILoggingEvent> warnings = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() != null ? " (" + e.getThrowableProxy().getClassName() + ")" : ""));
            }
        }
    };
    private final AppenderBase<ILoggingEvent> logins = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            String m = e.getFormattedMessage();
            if (m.contains(" call=login ") && !m.contains("missing credential")) {
                passwordChecks.incrementAndGet();
            }
        }
    };

    /** Starts listening; {@code auditFile} names the server's audit log. */
    ServerLog(Path auditFile) {
        warnings.setContext(context);
        warnings.start();
        root.addAppender(warnings);
        audit = auditLogger(auditFile);
        logins.setContext(context);
        logins.start();
        audit.addAppender(logins);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> add("UNCAUGHT in " + t + ": " + e));
    }

    private Logger auditLogger(Path file) {
        for (Logger l : context.getLoggerList()) {
            for (Iterator<Appender<ILoggingEvent>> it = l.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof FileAppender<ILoggingEvent> f && Path.of(f.getFile()).equals(file)) {
                    return l;
                }
            }
        }
        throw new IllegalStateException("no logger writes the audit log " + file);
    }

    private synchronized void add(String line) {
        lines.add(line);
    }

    /** How many lines so far: a mark for {@link #since}. */
    synchronized int mark() {
        return lines.size();
    }

    /** Lines captured after {@code mark}. */
    synchronized List<String> since(int mark) {
        return List.copyOf(lines.subList(mark, lines.size()));
    }

    /** The lines after {@code mark} that show a defect: ERROR lines and exceptions that escaped a thread. */
    List<String> failuresSince(int mark) {
        return since(mark).stream().filter(l -> l.startsWith("ERROR") || l.startsWith("UNCAUGHT")).toList();
    }

    int passwordChecks() {
        return passwordChecks.get();
    }

    @Override
    public void close() {
        Thread.setDefaultUncaughtExceptionHandler(previous);
        audit.detachAppender(logins);
        root.detachAppender(warnings);
        logins.stop();
        warnings.stop();
    }
}
