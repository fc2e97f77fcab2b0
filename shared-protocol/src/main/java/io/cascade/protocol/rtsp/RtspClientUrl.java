package io.cascade.protocol.rtsp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An {@code rtsp://[user[:password]@]host[:port]/path[?query]} URL this node pulls from: where to connect, the
 * Request-URI to send (the URL without its credentials, which go in an {@code Authorization} header only), and the
 * credentials, percent-decoded. {@link #redacted()} is what logs and lists may show.
 *
 * @param host       the host to connect to, without an IPv6 literal's brackets
 * @param port       the port, {@link #DEFAULT_PORT} when the URL names none
 * @param requestUri the URL as requests carry it: no userinfo, no fragment, the query kept (a token may be in it)
 * @param user       the user, or "" when the URL has none
 * @param password   the password, or ""
 */
public record RtspClientUrl(String host, int port, String requestUri, String user, String password) {
    /** RTSP's registered port (RFC 2326 section 3.2). */
    public static final int DEFAULT_PORT = 554;
    /** Longest user or password taken from a URL; longer is no credential a camera has. */
    public static final int MAX_CREDENTIAL = 256;

    /** Whether the URL carries a user to authenticate as. */
    public boolean hasCredentials() {
        return !user.isEmpty();
    }

    /** The URL without credentials or query: what lists and logs show. */
    public String redacted() {
        int q = requestUri.indexOf('?');
        return q < 0 ? requestUri : requestUri.substring(0, q);
    }

    /**
     * Parses a pull's URL.
     *
     * @throws IllegalArgumentException saying what is wrong (without repeating the credentials)
     */
    public static RtspClientUrl parse(String uri) {
        if (uri == null || !uri.regionMatches(true, 0, "rtsp://", 0, 7)) {
            if (uri != null && uri.regionMatches(true, 0, "rtsps://", 0, 8)) {
                throw new IllegalArgumentException("rtsps:// (RTSP over TLS) is not supported; use rtsp://");
            }
            throw new IllegalArgumentException("not an rtsp:// URL");
        }
        int hash = uri.indexOf('#');
        String url = hash < 0 ? uri : uri.substring(0, hash);
        int authorityEnd = 7;
        while (authorityEnd < url.length() && "/?".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = url.substring(7, authorityEnd);
        int at = authority.lastIndexOf('@');
        String user = "";
        String password = "";
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            int colon = userinfo.indexOf(':');
            user = decode(colon < 0 ? userinfo : userinfo.substring(0, colon), "user");
            password = colon < 0 ? "" : decode(userinfo.substring(colon + 1), "password");
            if (user.isEmpty()) {
                throw new IllegalArgumentException("credentials without a user");
            }
            authority = authority.substring(at + 1);
        }
        String requestUri = "rtsp://" + authority + url.substring(authorityEnd);
        RtspUrl parsed;
        try {
            parsed = RtspUrl.parse(requestUri);
        } catch (RtspException e) {
            throw new IllegalArgumentException("bad rtsp:// URL: " + e.getMessage());
        }
        if (parsed.path().isEmpty()) {
            throw new IllegalArgumentException("the rtsp:// URL names no stream (it has no path)");
        }
        if (parsed.port() == 0) {
            throw new IllegalArgumentException("port 0 in the rtsp:// URL");
        }
        // the scheme as servers expect it, in lower case; the rest exactly as given
        return new RtspClientUrl(parsed.host().toLowerCase(Locale.ROOT), parsed.port() < 0 ? DEFAULT_PORT : parsed.port(),
                requestUri, user, password);
    }

    /** Percent-decodes a user or password (UTF-8), so "p%40ss" is "p@ss". */
    private static String decode(String raw, String what) {
        if (raw.length() > MAX_CREDENTIAL) {
            throw new IllegalArgumentException(what + " longer than " + MAX_CREDENTIAL + " characters");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new IllegalArgumentException("bad percent escape in the " + what);
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                int cp = raw.codePointAt(i); // whole, so a surrogate pair stays one character
                out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        String s = out.toString(StandardCharsets.UTF_8);
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7F) {
                throw new IllegalArgumentException(what + " holds a control character");
            }
        }
        return s;
    }
}
