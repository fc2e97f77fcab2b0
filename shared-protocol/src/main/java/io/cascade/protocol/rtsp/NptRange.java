package io.cascade.protocol.rtsp;

import java.util.Locale;

/**
 * A normal play time range (RFC 2326 3.6, RFC 7826 4.4.2) as a PLAY's {@code Range} header asks for it and as the
 * answer and a description's {@code a=range} state it: {@code npt=10-}, {@code npt=10.5-20}, {@code npt=0:01:05.2-},
 * {@code npt=now-}. Times are kept in milliseconds; an open end is {@link #OPEN}.
 *
 * @param startMillis where playing starts; {@link #NOW} for {@code now} (continue where it is)
 * @param endMillis   where it stops, or {@link #OPEN}
 */
public record NptRange(long startMillis, long endMillis) {
    public static final long OPEN = -1;
    public static final long NOW = -2;
    /** Longest header value read: a range is a few dozen characters, and the numbers then cannot overflow. */
    static final int MAX_LENGTH = 64;
    /** The largest time accepted (about 31 years): anything longer is no media file's. */
    static final long MAX_MILLIS = 1_000_000_000_000L;

    /**
     * The npt range of a {@code Range} header value; null when the header is absent, names another time format
     * (smpte, clock) or is not a range we read, so that the caller plays from where it is, as RFC 2326 allows for a
     * range it does not understand.
     */
    public static NptRange parse(String header) {
        if (header == null || header.length() > MAX_LENGTH) {
            return null;
        }
        String value = header.trim();
        int semicolon = value.indexOf(';'); // "npt=10-;time=..." (a start time we do not schedule by)
        if (semicolon >= 0) {
            value = value.substring(0, semicolon).trim();
        }
        if (!value.regionMatches(true, 0, "npt", 0, 3)) {
            return null;
        }
        value = value.substring(3).trim();
        if (!value.startsWith("=")) {
            return null;
        }
        value = value.substring(1).trim();
        int dash = value.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String from = value.substring(0, dash).trim();
        String to = value.substring(dash + 1).trim();
        long start = from.isEmpty() || from.equalsIgnoreCase("now") ? NOW : time(from);
        long end = to.isEmpty() ? OPEN : time(to);
        if (start == -1 && !from.isEmpty() || end == -1 && !to.isEmpty()) {
            return null;
        }
        if (start >= 0 && end >= 0 && end < start) {
            return null;
        }
        return new NptRange(start, end);
    }

    /** {@code npt=<start>-[<end>]} with seconds to three decimals, as answers and descriptions write it. */
    public static String format(long startMillis, long endMillis) {
        return "npt=" + seconds(Math.max(0, startMillis)) + "-" + (endMillis < 0 ? "" : seconds(endMillis));
    }

    /** Milliseconds as seconds with three decimals ("12.040"), without floating point. */
    public static String seconds(long millis) {
        return millis / 1000 + "." + String.format(Locale.ROOT, "%03d", millis % 1000);
    }

    /** npt-sec ({@code 12}, {@code 12.5}) or npt-hhmmss ({@code 0:00:12.5}) in milliseconds; -1 when neither. */
    private static long time(String text) {
        String[] parts = text.split(":", -1);
        long millis;
        if (parts.length == 1) {
            millis = secondsPart(parts[0]);
        } else if (parts.length == 3) {
            long h = whole(parts[0]);
            long m = whole(parts[1]);
            long s = secondsPart(parts[2]);
            if (h < 0 || m < 0 || m >= 60 || s < 0 || s >= 60_000) {
                return -1;
            }
            millis = (h * 60 + m) * 60_000 + s;
        } else {
            return -1;
        }
        return millis > MAX_MILLIS ? -1 : millis;
    }

    /** A decimal number of seconds ("12", "12.", "12.3456") in milliseconds, truncated; -1 when not one. */
    private static long secondsPart(String text) {
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        String fraction = dot < 0 ? "" : text.substring(dot + 1);
        long seconds = whole(whole);
        if (seconds < 0 || fraction.length() > 9 || !fraction.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        String millis = (fraction + "000").substring(0, 3);
        return seconds * 1000 + Long.parseLong(millis);
    }

    /** Digits only, at most 12 of them (so no overflow); -1 otherwise. */
    private static long whole(String text) {
        if (text.isEmpty() || text.length() > 12 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }
}
