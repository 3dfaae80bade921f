package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;

/** Members of TimeSpan (java Duration) and DateTime (LocalDateTime) values. */
final class TimeMembers {
    static final List<String> DURATION_PROPERTIES = List.of("Days", "Hours", "Minutes", "Seconds", "Milliseconds", "Ticks",
            "TotalDays", "TotalHours", "TotalMinutes", "TotalSeconds", "TotalMilliseconds");
    static final List<String> DATE_PROPERTIES = List.of("Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond",
            "DayOfWeek", "DayOfYear", "Date", "TimeOfDay", "Ticks");

    private TimeMembers() {
    }

    static Object duration(Duration d, String n) {
        double nanos = d.getSeconds() * 1e9 + d.getNano();
        return switch (n) {
            case "days" -> (int) d.toDays();
            case "hours" -> d.toHoursPart();
            case "minutes" -> d.toMinutesPart();
            case "seconds" -> d.toSecondsPart();
            case "milliseconds" -> d.toMillisPart();
            case "ticks" -> (long) (nanos / 100);
            case "totaldays" -> nanos / 86_400e9;
            case "totalhours" -> nanos / 3_600e9;
            case "totalminutes" -> nanos / 60e9;
            case "totalseconds" -> nanos / 1e9;
            case "totalmilliseconds" -> nanos / 1e6;
            default -> n.equals("count") || n.equals("length") ? 1 : null;
        };
    }

    static Object dateTime(LocalDateTime t, String n) {
        return switch (n) {
            case "year" -> t.getYear();
            case "month" -> t.getMonthValue();
            case "day" -> t.getDayOfMonth();
            case "hour" -> t.getHour();
            case "minute" -> t.getMinute();
            case "second" -> t.getSecond();
            case "millisecond" -> t.getNano() / 1_000_000;
            case "dayofweek" -> new EnumValue("System.DayOfWeek", capitalized(t.getDayOfWeek().name()), t.getDayOfWeek().getValue() % 7);
            case "dayofyear" -> t.getDayOfYear();
            case "date" -> t.toLocalDate().atStartOfDay();
            case "timeofday" -> Duration.ofNanos(t.toLocalTime().toNanoOfDay());
            case "ticks" -> ticksSinceYearOne(t);
            default -> n.equals("count") || n.equals("length") ? 1 : null;
        };
    }

    private static long ticksSinceYearOne(LocalDateTime t) {
        Duration d = Duration.between(LocalDateTime.of(1, 1, 1, 0, 0), t);
        return d.getSeconds() * 10_000_000L + d.getNano() / 100;
    }

    private static String capitalized(String upper) {
        return upper.charAt(0) + upper.substring(1).toLowerCase(Locale.ROOT);
    }
}
