package io.cascade.protocol.amf0;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Decoded AMF0 values ({@link Amf0Reader}) as JSON text (RFC 8259), for metadata subscribers that speak JSON.
 *
 * <ul>
 *   <li>object, ECMA array, typed object: object (keys in their AMF0 order; a typed object's class name is gone);</li>
 *   <li>strict array: array;</li>
 *   <li>number: a number, integral values without a fraction ({@code 320}, not {@code 320.0}); NaN and the
 *       infinities, which JSON has no form for, become {@code null};</li>
 *   <li>string, long string, XML document: string;</li>
 *   <li>boolean: {@code true}/{@code false}; null, undefined and unsupported: {@code null};</li>
 *   <li>date: its instant as an ISO-8601 string in UTC ({@code "2024-01-02T03:04:05Z"}).</li>
 * </ul>
 * Strings are escaped so the text is valid JSON and safe inside a script element: quote, backslash and control
 * characters, and U+2028/U+2029 too. The output is bounded ({@code maxChars}): references can make a small AMF0
 * message describe a large tree.
 */
public final class Amf0Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Integral doubles up to here are exact in a double, so they print as integers. */
    private static final double MAX_EXACT_INTEGER = 9007199254740992d; // 2^53

    private Amf0Json() {
    }

    /** The value as JSON text of at most {@code maxChars} characters. */
    public static String toJson(Object value, int maxChars) throws Amf0Exception {
        StringBuilder out = new StringBuilder(64);
        write(value, out, maxChars, 0);
        return out.toString();
    }

    private static void write(Object v, StringBuilder out, int maxChars, int depth) throws Amf0Exception {
        if (depth > Amf0Reader.MAX_DEPTH) {
            throw new Amf0Exception("AMF0 to JSON: nested deeper than " + Amf0Reader.MAX_DEPTH);
        }
        if (v == null || v == Amf0Undefined.INSTANCE) {
            out.append("null");
        } else if (v instanceof Double d) {
            number(d, out);
        } else if (v instanceof Number n) {
            number(n.doubleValue(), out);
        } else if (v instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (v instanceof String s) {
            string(s, out);
        } else if (v instanceof Instant t) {
            string(t.toString(), out);
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), out, maxChars, depth + 1);
                checkLength(out, maxChars);
            }
            out.append('}');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out, maxChars, depth + 1);
                checkLength(out, maxChars);
            }
            out.append(']');
        } else {
            out.append("null"); // nothing else comes out of the reader
        }
        checkLength(out, maxChars);
    }

    private static void checkLength(StringBuilder out, int maxChars) throws Amf0Exception {
        if (out.length() > maxChars) {
            throw new Amf0Exception("AMF0 to JSON: longer than " + maxChars + " characters");
        }
    }

    private static void number(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) <= MAX_EXACT_INTEGER) {
            out.append((long) d); // -0.0 prints as 0
        } else {
            out.append(d); // Java's shortest round-trip form, e.g. 29.97 or 1.0E-7: valid JSON numbers
        }
    }

    /** A JSON string literal of {@code s}. */
    public static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c) && !paired(s, i)) {
                        out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                                .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Whether the surrogate at {@code i} is half of a valid pair (a lone one cannot be written as UTF-8). */
    private static boolean paired(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
