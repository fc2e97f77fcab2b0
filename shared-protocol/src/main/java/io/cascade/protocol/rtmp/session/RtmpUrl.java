package io.cascade.protocol.rtmp.session;

import io.cascade.media.StreamNames;

/**
 * Where an RTMP client connects and what it plays or publishes, from a URL such as
 * {@code rtmp://host:1935/live/cam1?token=x}: the last path segment (with its query) is the stream, everything before
 * it the application, as Flash Media Server, nginx-rtmp and EMS read such URLs. {@code rtmps://} is the same over TLS.
 *
 * @param host   the server's host name or address (IPv6 without brackets)
 * @param secure {@code rtmps}: over TLS
 * @param port   1935 (443 for {@code rtmps}, as ffmpeg and the platforms use) unless the URL names one
 * @param app    the application, e.g. {@code live} or {@code live/room}
 * @param stream the stream name with its query, as sent in {@code play} or {@code publish}
 */
public record RtmpUrl(boolean secure, String host, int port, String app, String stream) {
    public static final int DEFAULT_PORT = 1935;
    public static final int DEFAULT_TLS_PORT = 443;
    /** Longer is no URL a person or a script writes; the bound keeps a hostile API call cheap. */
    public static final int MAX_LENGTH = 2048;

    /** @throws IllegalArgumentException naming what is wrong with the URL */
    public static RtmpUrl parse(String url) {
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("no URL");
        }
        if (url.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("URL longer than " + MAX_LENGTH + " characters");
        }
        boolean secure = url.regionMatches(true, 0, "rtmps://", 0, 8);
        if (!secure && !url.regionMatches(true, 0, "rtmp://", 0, 7)) {
            throw new IllegalArgumentException("not an rtmp:// or rtmps:// URL");
        }
        String rest = url.substring(secure ? 8 : 7);
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("no host and path");
        }
        String authority = rest.substring(0, slash);
        if (authority.contains("@")) {
            throw new IllegalArgumentException("user:password@ is not supported in rtmp:// URLs");
        }
        String host;
        int port = secure ? DEFAULT_TLS_PORT : DEFAULT_PORT;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed [ in the host");
            }
            host = authority.substring(1, close);
            if (authority.length() > close + 1) {
                if (authority.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad host");
                }
                portText = authority.substring(close + 2);
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port '" + portText + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range");
            }
        }
        String path = rest.substring(slash + 1);
        int query = path.indexOf('?');
        String pathOnly = query < 0 ? path : path.substring(0, query);
        int last = pathOnly.lastIndexOf('/');
        if (last <= 0 || last == pathOnly.length() - 1) {
            throw new IllegalArgumentException("the path must be /<app>/<stream>");
        }
        String app = pathOnly.substring(0, last);
        String stream = path.substring(last + 1);
        String name = pathOnly.substring(last + 1);
        if (!StreamNames.isValid(name)) {
            throw new IllegalArgumentException("bad stream name '" + name + "'");
        }
        for (String segment : app.split("/", -1)) {
            if (!StreamNames.isValid(segment)) {
                throw new IllegalArgumentException("bad application '" + app + "'");
            }
        }
        return new RtmpUrl(secure, host, port, app, stream);
    }

    /** The {@code tcUrl} a client sends in {@code connect}: the URL up to the application. */
    public String tcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (secure ? "rtmps://" : "rtmp://") + h + ":" + port + "/" + app;
    }

    /** The stream's name without its query: what a log line may show (the query may hold a token). */
    public String streamName() {
        int q = stream.indexOf('?');
        return q < 0 ? stream : stream.substring(0, q);
    }

    /** The URL without the stream's query, for logs and lists: tokens in the query are never shown. */
    public String redacted() {
        return tcUrl() + "/" + streamName();
    }
}
