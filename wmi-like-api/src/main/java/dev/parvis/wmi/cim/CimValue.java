package dev.parvis.wmi.cim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One CIM property or parameter value. A NULL value is an absent property, never a CimValue. */
public sealed interface CimValue {

    /** The value as WQL compares it and a person reads it. */
    String display();

    record Bool(boolean value) implements CimValue {
        @Override
        public String display() {
            return Boolean.toString(value);
        }
    }

    record Int(long value) implements CimValue {
        @Override
        public String display() {
            return Long.toString(value);
        }
    }

    record Real(double value) implements CimValue {
        @Override
        public String display() {
            return Double.toString(value);
        }
    }

    record Text(String value) implements CimValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String display() {
            return value;
        }
    }

    record DateTime(Instant value) implements CimValue {
        public DateTime {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String display() {
            return value.toString();
        }
    }

    record Interval(Duration value) implements CimValue {
        public Interval {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String display() {
            return value.toString();
        }
    }

    record Ref(ObjectPath value) implements CimValue {
        public Ref {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String display() {
            return value.toString();
        }
    }

    record TextArray(List<String> value) implements CimValue {
        public TextArray {
            value = List.copyOf(value);
        }

        @Override
        public String display() {
            return value.toString();
        }
    }

    record IntArray(List<Long> value) implements CimValue {
        public IntArray {
            value = List.copyOf(value);
        }

        @Override
        public String display() {
            return value.toString();
        }
    }

    /** Embedded instances (an EmbeddedInstance property or parameter, one or many). */
    record Instances(List<CimInstance> value) implements CimValue {
        public Instances {
            value = List.copyOf(value);
        }

        @Override
        public String display() {
            return value.stream().map(CimInstance::className).toList().toString();
        }
    }

    static CimValue of(String s) {
        return new Text(s);
    }

    static CimValue of(long v) {
        return new Int(v);
    }

    static CimValue of(boolean v) {
        return new Bool(v);
    }
}
