package dev.parvis.shell.runtime;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.RandomAccess;

/**
 * An array value ({@code 1,2,3}, {@code @(...)}, a pipeline's collected output). Equality is
 * identity, as for .NET arrays, so an array that contains itself never sends hashing or equality
 * into endless recursion; size is bounded by {@link Limits#MAX_ELEMENTS}.
 */
public final class ShellArray extends AbstractList<Object> implements RandomAccess {
    private final ArrayList<Object> items;

    public ShellArray() {
        this.items = new ArrayList<>();
    }

    public ShellArray(Collection<?> values) {
        Limits.checkElements(values.size());
        this.items = new ArrayList<>(values);
    }

    public static ShellArray of(Object... values) {
        return new ShellArray(java.util.Arrays.asList(values));
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public Object set(int index, Object value) {
        return items.set(index, value);
    }

    @Override
    public boolean add(Object value) {
        Limits.checkElements(items.size() + 1L);
        return items.add(value);
    }

    @Override
    public void add(int index, Object value) {
        Limits.checkElements(items.size() + 1L);
        items.add(index, value);
    }

    @Override
    public Object remove(int index) {
        return items.remove(index);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "System.Object[]";
    }
}
