package io.cascade.protocol.rtsp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;

/**
 * RTSP tunnelled over HTTP as QuickTime introduced it (and GStreamer's {@code rtsph://}, gst-rtsp-server and EMS's
 * {@code httpProxy} speak it), with no I/O. Two connections share a random {@code x-sessioncookie}: on the first the
 * client sends {@link #getRequest()} and, after the server's {@code 200} headers (read by {@link #receiveHeader}),
 * everything the server sends is the RTSP byte stream, responses and {@code $} interleaved RTP alike; on the second
 * it sends {@link #postRequest()} and then each RTSP request base64-encoded ({@link #encode}). The RTSP requests
 * inside keep their {@code rtsp://} URLs; only TCP interleaved RTP can travel this way.
 *
 * <p>Through an HTTP proxy ({@code httpProxy=host:port}) both requests go to the proxy with the absolute-form target
 * {@code http://server:port/path}; with {@code httpProxy=self} they go to the RTSP server's own host and port with
 * the path alone. The target carries the URL's path and query, never its credentials.
 */
public final class RtspHttpTunnel {
    /** Longest GET response head (status line and headers) read before the RTSP stream starts. */
    public static final int MAX_RESPONSE_HEADER_BYTES = 8 * 1024;
    /** The body length the POST announces: it is never sent whole, so it is what QuickTime sends, 32767. */
    public static final int POST_CONTENT_LENGTH = 32767;
    public static final String CONTENT_TYPE = "application/x-rtsp-tunnelled";
    /** The {@code httpProxy} value that tunnels to the RTSP server itself. */
    public static final String SELF = "self";
    /** Random bytes in a session cookie (22 base64url characters). */
    static final int COOKIE_BYTES = 16;

    private final String connectHost;
    private final int connectPort;
    private final String target;
    private final String hostHeader;
    private final String cookie;
    private final byte[] head = new byte[MAX_RESPONSE_HEADER_BYTES];
    private int headLength;
    private boolean open;

    private RtspHttpTunnel(String connectHost, int connectPort, String target, String hostHeader, String cookie) {
        this.connectHost = connectHost;
        this.connectPort = connectPort;
        this.target = target;
        this.hostHeader = hostHeader;
        this.cookie = cookie;
    }

    /**
     * A tunnel for a pull of {@code url}.
     *
     * @param httpProxy {@link #SELF}, or the {@code host:port} of an HTTP proxy ({@code [v6]:port} for an IPv6 one)
     * @param random    where the session cookie comes from
     * @throws IllegalArgumentException when {@code httpProxy} is neither
     */
    public static RtspHttpTunnel create(RtspClientUrl url, String httpProxy, Random random) {
        byte[] bytes = new byte[COOKIE_BYTES];
        random.nextBytes(bytes);
        String cookie = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String authority = authority(url.host(), url.port());
        String pathAndQuery = pathAndQuery(url.requestUri());
        if (httpProxy == null || httpProxy.equalsIgnoreCase(SELF)) {
            return new RtspHttpTunnel(url.host(), url.port(), pathAndQuery, authority, cookie);
        }
        String[] proxy = parseProxy(httpProxy);
        return new RtspHttpTunnel(proxy[0], Integer.parseInt(proxy[1]), "http://" + authority + pathAndQuery,
                authority, cookie);
    }

    /**
     * Checks an {@code httpProxy} option: {@link #SELF} or {@code host:port}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void validate(String httpProxy) {
        if (!httpProxy.equalsIgnoreCase(SELF)) {
            parseProxy(httpProxy);
        }
    }

    private static String[] parseProxy(String value) {
        String v = value.strip();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException("httpProxy must be host:port or self");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || (host.indexOf(':') >= 0 && !v.startsWith("["))) {
            throw new IllegalArgumentException("httpProxy must be host:port or self ([address]:port for IPv6)");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && ".-:_".indexOf(c) < 0) {
                throw new IllegalArgumentException("httpProxy has a bad host");
            }
        }
        long port = Syntax.digits(v.substring(colon + 1), 5);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("httpProxy has a bad port (1..65535)");
        }
        return new String[]{host, Long.toString(port)};
    }

    private static String authority(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The Request-URI's path and query: what follows {@code rtsp://authority}. */
    private static String pathAndQuery(String requestUri) {
        int i = 7;
        while (i < requestUri.length() && "/?".indexOf(requestUri.charAt(i)) < 0) {
            i++;
        }
        String rest = requestUri.substring(i);
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    /** Where both connections go: the RTSP server itself, or the proxy. */
    public String connectHost() {
        return connectHost;
    }

    public int connectPort() {
        return connectPort;
    }

    public String cookie() {
        return cookie;
    }

    /** Whether the tunnel goes through an HTTP proxy. */
    public boolean proxied() {
        return target.startsWith("http://");
    }

    /** The request that opens the connection the server answers on. */
    public byte[] getRequest() {
        return ("GET " + target + " HTTP/1.0\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: " + RtspClientSession.USER_AGENT + "\r\n"
                + "x-sessioncookie: " + cookie + "\r\n"
                + "Accept: " + CONTENT_TYPE + "\r\n"
                + "Pragma: no-cache\r\n"
                + "Cache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The request that opens the connection requests go out on, once the GET was answered. */
    public byte[] postRequest() {
        return ("POST " + target + " HTTP/1.0\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: " + RtspClientSession.USER_AGENT + "\r\n"
                + "x-sessioncookie: " + cookie + "\r\n"
                + "Content-Type: " + CONTENT_TYPE + "\r\n"
                + "Pragma: no-cache\r\n"
                + "Cache-Control: no-cache\r\n"
                + "Content-Length: " + POST_CONTENT_LENGTH + "\r\n"
                + "Expires: Sun, 9 Jan 1972 00:00:00 GMT\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** One RTSP request as it goes into the POST body: base64, whole (padded) on its own. */
    public static byte[] encode(byte[] request) {
        return Base64.getEncoder().encode(request);
    }

    /** Whether the GET was answered 200 and the RTSP stream has begun. */
    public boolean open() {
        return open;
    }

    /**
     * Bytes of the GET connection before the tunnel is open.
     *
     * @return -1 while the response head is incomplete; otherwise the offset in {@code bytes} where the RTSP stream
     *         begins (up to {@code offset + length}: nothing of it in this read)
     * @throws RtspException when the head exceeds {@link #MAX_RESPONSE_HEADER_BYTES}, is no HTTP response, or is
     *                       not a 200 (the status is the exception's)
     */
    public int receiveHeader(byte[] bytes, int offset, int length) throws RtspException {
        if (open) {
            throw new IllegalStateException("the tunnel is already open");
        }
        for (int i = 0; i < length; i++) {
            if (headLength == head.length) {
                throw new RtspException(502, "the HTTP tunnel's response head exceeds " + MAX_RESPONSE_HEADER_BYTES
                        + " bytes");
            }
            head[headLength++] = bytes[offset + i];
            if (ends(head, headLength)) {
                checkStatus();
                open = true;
                return offset + i + 1;
            }
        }
        return -1;
    }

    private static boolean ends(byte[] b, int n) {
        return (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n')
                || (n >= 2 && b[n - 2] == '\n' && b[n - 1] == '\n');
    }

    private void checkStatus() throws RtspException {
        String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
        int eol = text.indexOf('\n');
        String status = text.substring(0, eol).strip();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].toUpperCase(Locale.ROOT).startsWith("HTTP/1.")) {
            throw new RtspException(502, "the HTTP tunnel was not answered with HTTP");
        }
        long code = Syntax.digits(parts[1], 3);
        if (code != 200) {
            String reason = parts.length > 2 ? sanitize(parts[2]) : "";
            throw new RtspException(502, "the HTTP tunnel was answered " + (code < 0 ? "?" : code)
                    + (reason.isEmpty() ? "" : " " + reason));
        }
    }

    /** A reason phrase fit for a log: printable ASCII, at most 64 characters. */
    private static String sanitize(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }
}
