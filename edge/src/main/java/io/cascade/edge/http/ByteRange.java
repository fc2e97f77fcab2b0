package io.cascade.edge.http;

/** One HTTP byte range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}); several ranges are not offered. */
final class ByteRange {
    private ByteRange() {
    }

    /**
     * {first, last} of the range within {@code length} bytes; an empty array when the header is not one we
     * honour (the whole body is then sent, as RFC 9110 allows); null when it cannot be satisfied (416).
     */
    static long[] parse(String header, long length) {
        if (!header.startsWith("bytes=") || header.indexOf(',') >= 0 || header.length() > 64) {
            return new long[0];
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new long[0];
        }
        try {
            String a = spec.substring(0, dash);
            String b = spec.substring(dash + 1);
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || length == 0) {
                    return null; // nothing to send from an empty body (RFC 9110 14.1.1)
                }
                return new long[] {Math.max(0, length - suffix), length - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
            if (first < 0 || first >= length || last < first) {
                return null;
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }
}
