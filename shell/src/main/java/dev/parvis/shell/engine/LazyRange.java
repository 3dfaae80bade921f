package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.ShellArray;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * {@code a..b} as a sequence produced on demand: a pipeline or foreach over a range streams it
 * ({@code 1..1e9 | Select-Object -First 3} takes three), and only a range kept as a value becomes
 * an array (within the element limit).
 */
record LazyRange(long from, long to) implements Iterable<Object> {
    static LazyRange of(Object from, Object to) {
        return new LazyRange(Conversions.toLong(from), Conversions.toLong(to));
    }

    long count() {
        return Math.abs(to - from) + 1;
    }

    ShellArray materialize() {
        Limits.checkElements(count());
        ShellArray a = new ShellArray();
        for (Object o : this) {
            a.add(o);
        }
        return a;
    }

    @Override
    public Iterator<Object> iterator() {
        long step = to >= from ? 1 : -1;
        return new Iterator<>() {
            private long next = from;
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public Object next() {
                if (done) {
                    throw new NoSuchElementException();
                }
                long v = next;
                if (v == to) {
                    done = true;
                } else {
                    next += step;
                }
                return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
            }
        };
    }
}
