package dev.parvis.bench;

import java.util.Arrays;

/** Repetition results of one measurement; the median is what a benchmark line reports. */
final class Samples {
    private double[] values = new double[16];
    private int count;

    void add(double value) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = value;
    }

    int count() {
        return count;
    }

    double median() {
        double[] sorted = sorted();
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    double min() {
        return count == 0 ? Double.NaN : sorted()[0];
    }

    double max() {
        return count == 0 ? Double.NaN : sorted()[count - 1];
    }

    /** The {@code q}-quantile (0..1) by the nearest rank. */
    double quantile(double q) {
        return count == 0 ? Double.NaN : sorted()[(int) Math.min(count - 1, Math.round(q * (count - 1)))];
    }

    /** "q1-q3 (min-max)": the middle half and the whole range, for a context line. */
    String spread(String format) {
        return (format + "-" + format + " (" + format + "-" + format + ")").formatted(quantile(0.25), quantile(0.75), min(), max());
    }

    private double[] sorted() {
        double[] s = Arrays.copyOf(values, count);
        Arrays.sort(s);
        return s;
    }
}
