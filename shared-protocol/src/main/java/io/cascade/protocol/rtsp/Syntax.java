package io.cascade.protocol.rtsp;

/**
 * Character classes of RFC 2326 section 15 (borrowed from RFC 2616 section 2.2), shared by the decoder, which rejects
 * what does not match, and the writer, which refuses to put it on the wire.
 */
final class Syntax {
    private Syntax() {
    }

    /** token chars: any CHAR but CTLs, SP and the separators ()<>@,;:\"/[]?={} and HT. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (int c = 0x21; c < 0x7F; c++) {
            TOKEN[c] = "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }
    }

    static boolean isTokenChar(int b) {
        return b >= 0 && b < 128 && TOKEN[b];
    }

    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A control character that may not appear in a header line: everything below SP but HT, and DEL. Bytes from 0x80 up
     * are obs-text (or UTF-8, which RFC 2326 allows) and pass.
     */
    static boolean isForbiddenControl(int c) {
        return (c < 0x20 && c != '\t') || c == 0x7F;
    }

    /**
     * Refuses a header value a writer is asked to send: CR or LF would end the header and let whoever supplied the value
     * (a peer whose header we echo, a stream name in a URL) add headers or a whole message of their own; other controls
     * are refused too because no RTSP header needs them and a receiver may treat them as line ends.
     */
    static String checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("header " + name + " without a value");
        }
        for (int i = 0; i < value.length(); i++) {
            if (isForbiddenControl(value.charAt(i))) {
                throw new IllegalArgumentException("header " + name + " value holds control character 0x"
                        + Integer.toHexString(value.charAt(i)) + " (CR/LF injection?)");
            }
        }
        return value;
    }

    static String checkName(String name) {
        if (!isToken(name)) {
            throw new IllegalArgumentException("header name '" + name + "' is not a token");
        }
        return name;
    }

    /** Decimal digits only, at most {@code maxDigits} of them, as a long; -1 when it is not that. */
    static long digits(String s, int maxDigits) {
        int n = s.length();
        if (n == 0 || n > maxDigits) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static boolean allDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * A CSeq value as RFC 2326 12.17 has it (1*DIGIT) limited to what a Java int holds, or -1. Ten digits at most so
     * the arithmetic cannot overflow; leading zeros are allowed.
     */
    static int cseq(String value) {
        if (value == null) {
            return -1;
        }
        String v = value;
        int i = 0;
        while (i < v.length() - 1 && v.charAt(i) == '0') {
            i++; // leading zeros do not count against the ten digits
        }
        long n = digits(v.substring(i), 10);
        return n < 0 || n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    /** Removes the SP and HT around a header value (RFC 2616's optional whitespace), nothing else. */
    static String trimSpaces(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }
}
