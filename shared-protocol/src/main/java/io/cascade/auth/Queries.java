package io.cascade.auth;

import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** URL queries as tokens travel in them: made safe to write into other text, and thinned of a parameter. */
public final class Queries {
    /** Longest query carried anywhere; a longer one is not a token, and copying it into every URI would bloat. */
    public static final int MAX_CARRIED_LENGTH = 2048;
    private static final String SAFE_PUNCTUATION = "._~=&%+,;:@/-";

    private Queries() {
    }

    /**
     * The query made safe to write where a URI goes in text other programs parse (a playlist line, a quoted
     * attribute, an XML attribute, a DASH template, a JavaScript string): every character outside
     * {@code [A-Za-z0-9._~=&%+,;:@/-]} is percent-encoded (UTF-8), which keeps its meaning as a query and leaves no
     * quote, backslash, angle bracket, whitespace, '?' or '$'. "" when there is none or it is longer than
     * {@link #MAX_CARRIED_LENGTH}.
     */
    public static String safe(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_CARRIED_LENGTH) {
            return "";
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || SAFE_PUNCTUATION.indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** Whether the query has a {@code name} parameter (with or without a value). */
    public static boolean has(String query, String name) {
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("&")) {
            if (pair.equals(name) || pair.startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    /** The query without any {@code name} parameter (empty pieces dropped too). */
    public static String without(String query, String name) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringJoiner out = new StringJoiner("&");
        for (String pair : query.split("&")) {
            if (!pair.isEmpty() && !pair.equals(name) && !pair.startsWith(name + "=")) {
                out.add(pair);
            }
        }
        return out.toString();
    }
}
