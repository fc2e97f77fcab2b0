package io.cascade.protocol.rtsp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The headers of one RTSP message in arrival order, immutable. Names are matched case-insensitively (RFC 2326 section 4.2
 * inherits that from HTTP); a name may appear more than once and {@link #all} gives every value in order. Order is kept
 * because some headers (Transport alternatives, WWW-Authenticate challenges) are preferences in the order sent.
 *
 * <p>Values are what followed the colon with surrounding spaces and tabs removed. Built by the decoder, which has already
 * checked every name is a token and no value holds a control character; {@link Builder#add} checks the same, so a
 * header set can always be written back without CRLF injection.
 */
public final class RtspHeaders {
    public static final RtspHeaders EMPTY = new RtspHeaders(new String[0], new String[0], 0);

    private final String[] names;
    private final String[] values;
    private final int size;

    /** Takes the arrays as they are: callers (the decoder, the builder) have validated them and never change them. */
    RtspHeaders(String[] names, String[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
    }

    /** Headers from alternating names and values, e.g. {@code of("CSeq", "1", "Session", "abc")}. */
    public static RtspHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of names and values");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    /** Headers from entries, in list order (the shape {@link RtspMessageWriter} takes). */
    public static RtspHeaders of(List<Map.Entry<String, String>> entries) {
        Builder b = builder();
        for (Map.Entry<String, String> e : entries) {
            b.add(e.getKey(), e.getValue());
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first value of {@code name} (any case), or null. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** Every value of {@code name} (any case), in arrival order; empty when there is none. */
    public List<String> all(String name) {
        List<String> out = null;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(values[i]);
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    public int size() {
        return size;
    }

    /** The name of the i-th header as it was written (case kept). */
    public String name(int i) {
        return names[checkIndex(i)];
    }

    public String value(int i) {
        return values[checkIndex(i)];
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("header " + i + " of " + size);
        }
        return i;
    }

    /** Every header as a name/value entry, in order: the shape {@link RtspMessageWriter} takes, for echoing headers. */
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(Map.entry(names[i], values[i]));
        }
        return Collections.unmodifiableList(out);
    }

    /** These headers less every one called {@code name} (any case). */
    public RtspHeaders without(String name) {
        Builder b = builder();
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(name)) {
                b.append(names[i], values[i]);
            }
        }
        return b.build();
    }

    /** Same names (case-insensitively) with the same values in the same order. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RtspHeaders h) || h.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(h.names[i]) || !values[i].equals(h.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size; i++) {
            h = 31 * h + names[i].toLowerCase(Locale.ROOT).hashCode();
            h = 31 * h + values[i].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append(": ").append(values[i]);
        }
        return sb.append('}').toString();
    }

    /** Collects headers in order; {@link #add} checks each one, the decoder's {@link #append} trusts its own checks. */
    public static final class Builder {
        private String[] names = new String[8];
        private String[] values = new String[8];
        private int size;
        private boolean built;

        private Builder() {
        }

        /**
         * Adds a header. Throws IllegalArgumentException when the name is not a token or the value holds CR, LF or
         * another control character (HT allowed): such a header cannot be written back safely.
         */
        public Builder add(String name, String value) {
            Syntax.checkName(name);
            Syntax.checkValue(name, value);
            return append(name, Syntax.trimSpaces(value));
        }

        Builder append(String name, String value) {
            if (built) {
                // the arrays are shared with the built headers, which promise not to change
                throw new IllegalStateException("builder already built");
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
            return this;
        }

        int size() {
            return size;
        }

        public RtspHeaders build() {
            built = true;
            return size == 0 ? EMPTY : new RtspHeaders(names, values, size);
        }
    }
}
