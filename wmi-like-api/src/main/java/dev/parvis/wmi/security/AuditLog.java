package dev.parvis.wmi.security;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * One line per management call and per refused connection: when, who (user or "-", and the
 * remote address), what (the call and its target, shortened) and the result. Audit lines are
 * never rate-limited; the file's resources are bounded instead: Logback rolls it at 10 MiB, keeps
 * 14 days, and deletes the oldest past 200 MiB in all. Every field is cut to {@value #FIELD_LIMIT}
 * characters with control characters replaced, so a caller cannot forge or bloat lines.
 */
public final class AuditLog implements AutoCloseable {
    public static final int FIELD_LIMIT = 300;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Path file;
    private final Logger logger;
    private final RollingFileAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender;

    public AuditLog(Path file) {
        this.file = file;
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %msg%n");
        encoder.start();
        appender = new RollingFileAppender<>();
        appender.setContext(ctx);
        appender.setName("parvis-audit-" + INSTANCES.incrementAndGet());
        appender.setFile(file.toString());
        SizeAndTimeBasedRollingPolicy<ch.qos.logback.classic.spi.ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(ctx);
        policy.setParent(appender);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(FileSize.valueOf("10MB"));
        policy.setMaxHistory(14);
        policy.setTotalSizeCap(FileSize.valueOf("200MB"));
        policy.start();
        appender.setRollingPolicy(policy);
        appender.setEncoder(encoder);
        appender.start();
        logger = ctx.getLogger("dev.parvis.audit." + appender.getName());
        logger.setAdditive(false);
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.addAppender(appender);
    }

    public Path file() {
        return file;
    }

    /** Records one call or connection attempt. */
    public void record(String user, String remote, String what, String result) {
        logger.info("user={} remote={} call={} result={}", clean(user), clean(remote), clean(what), clean(result));
    }

    /** {@code s} fit for one line of a log: cut to the field limit, control characters replaced; "-" for nothing. */
    public static String clean(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        String one = s.length() > FIELD_LIMIT ? s.substring(0, FIELD_LIMIT) + "..." : s;
        StringBuilder b = new StringBuilder(one.length());
        for (int i = 0; i < one.length(); i++) {
            char c = one.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
