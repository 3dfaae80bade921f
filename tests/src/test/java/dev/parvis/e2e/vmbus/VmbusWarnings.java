package dev.parvis.e2e.vmbus;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the WARN and ERROR lines of every {@code dev.parvis.vmbus} logger while open. */
final class VmbusWarnings implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.parvis.vmbus");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    VmbusWarnings() {
        appender.start();
        logger.addAppender(appender);
    }

    /** How many lines were captured so far; a mark for {@link #since}. */
    int mark() {
        return all().size();
    }

    /** Lines ("LEVEL logger: message") at WARN or above captured after {@code mark}. */
    List<String> since(int mark) {
        List<String> lines = all();
        return lines.subList(Math.min(mark, lines.size()), lines.size());
    }

    List<String> all() {
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = List.copyOf(appender.list);
        }
        return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
