package io.cascade.protocol.rtsp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Request-URI split the way a server uses it: host and port as sent (informational: a server answers whatever name
 * it was reached by), the path as decoded segments, and the raw query.
 *
 * <p>Segments are percent-decoded (UTF-8) so that "live/my%20cam" names the stream "my cam", and are then safe to use as
 * names: a segment that decodes to "." or "..", or holds '/', '\\', NUL or another control character, is refused with 400,
 * because a stream or recording name must never climb out of its directory or split into two segments after decoding.
 * Empty segments (a leading, doubled or trailing '/') are dropped. The query is kept raw (not decoded), "" when none;
 * a fragment is dropped. Userinfo ("user:pass@", which some camera URLs carry) is dropped too: it is no part of the
 * resource's name and must not end up in logs.
 */
public record RtspUrl(String host, int port, List<String> path, String query) {
    /** Longest URI parsed: as long as the request line that carries it may be. */
    public static final int MAX_LENGTH = RtspDecoder.MAX_LINE;
    /** Most path segments; real paths have two to four (app, stream, track). */
    public static final int MAX_SEGMENTS = 32;

    public RtspUrl {
        if (host == null || query == null) {
            throw new NullPointerException("host and query may be empty, not null");
        }
        if (port < -1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port);
        }
        path = List.copyOf(path);
    }

    /**
     * Parses "rtsp://host[:port]/a/b?q", "rtsps://...", a bare absolute path "/a/b?q", or "*" (OPTIONS on the server
     * itself: empty path). Host is "" and port -1 when absent; a bracketed IPv6 host is given without its brackets.
     * Throws 414 when the URI is longer than {@link #MAX_LENGTH}, 400 when it is malformed.
     */
    public static RtspUrl parse(String uri) throws RtspException {
        if (uri == null || uri.isEmpty()) {
            throw new RtspException(400, "empty request URI");
        }
        if (uri.length() > MAX_LENGTH) {
            throw new RtspException(414, "request URI longer than " + MAX_LENGTH);
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c == 0x7F) {
                throw new RtspException(400, "request URI holds a space or control character");
            }
        }
        if (uri.equals("*")) {
            return new RtspUrl("", -1, List.of(), "");
        }
        String host = "";
        int port = -1;
        String rest;
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd >= 0) {
            String scheme = uri.substring(0, schemeEnd);
            if (!scheme.equalsIgnoreCase("rtsp") && !scheme.equalsIgnoreCase("rtsps")) {
                throw new RtspException(400, "scheme " + scheme + " is not rtsp or rtsps");
            }
            int authorityStart = schemeEnd + 3;
            int authorityEnd = authorityStart;
            while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            String authority = uri.substring(authorityStart, authorityEnd);
            authority = authority.substring(authority.lastIndexOf('@') + 1);
            int portStart;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0 || close == 1) {
                    throw new RtspException(400, "unclosed or empty IPv6 host");
                }
                host = authority.substring(1, close);
                portStart = close + 1;
                if (portStart < authority.length() && authority.charAt(portStart) != ':') {
                    throw new RtspException(400, "text after the IPv6 host");
                }
            } else {
                int colon = authority.indexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
                portStart = colon < 0 ? authority.length() : colon;
            }
            if (host.isEmpty()) {
                throw new RtspException(400, "URI without a host");
            }
            if (!host.chars().allMatch(c -> c >= 0x80 || Character.isLetterOrDigit(c) || "-._~%!$&'()*+,;=:".indexOf(c) >= 0)) {
                throw new RtspException(400, "host '" + host + "' holds a character a host cannot");
            }
            if (portStart < authority.length() - 1) {
                long p = Syntax.digits(authority.substring(portStart + 1), 5);
                if (p < 0 || p > 0xFFFF) {
                    throw new RtspException(400, "port '" + authority.substring(portStart + 1) + "'");
                }
                port = (int) p;
            }
            rest = uri.substring(authorityEnd);
        } else if (uri.startsWith("/")) {
            rest = uri;
        } else {
            throw new RtspException(400, "request URI is neither rtsp:// nor an absolute path");
        }
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int q = rest.indexOf('?');
        String query = q < 0 ? "" : rest.substring(q + 1);
        String rawPath = q < 0 ? rest : rest.substring(0, q);
        List<String> segments = new ArrayList<>();
        int start = 0;
        while (start <= rawPath.length()) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? rawPath.length() : slash;
            if (end > start) {
                if (segments.size() == MAX_SEGMENTS) {
                    throw new RtspException(400, "more than " + MAX_SEGMENTS + " path segments");
                }
                segments.add(segment(rawPath.substring(start, end)));
            }
            start = end + 1;
        }
        return new RtspUrl(host, port, segments, query);
    }

    private static String segment(String raw) throws RtspException {
        String s = raw.indexOf('%') < 0 ? raw : percentDecode(raw);
        if (s.equals(".") || s.equals("..")) {
            throw new RtspException(400, "path segment '" + raw + "' is a dot segment");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7F) {
                throw new RtspException(400, "path segment '" + raw + "' decodes to a separator or control character");
            }
        }
        return s;
    }

    private static String percentDecode(String raw) throws RtspException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new RtspException(400, "bad percent escape in '" + raw + "'");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                // the run up to the next escape as a whole, so a surrogate pair stays one character
                int next = raw.indexOf('%', i);
                int runEnd = next < 0 ? raw.length() : next;
                bytes.writeBytes(raw.substring(i, runEnd).getBytes(StandardCharsets.UTF_8));
                i = runEnd - 1;
            }
        }
        try {
            // strict: an escape that is not UTF-8 would otherwise become U+FFFD and two names could map to one
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RtspException(400, "path segment '" + raw + "' is not UTF-8 once decoded");
        }
    }

    /** The last path segment (the track's control name in SETUP, the stream name otherwise), or "". */
    public String last() {
        return path.isEmpty() ? "" : path.get(path.size() - 1);
    }
}
