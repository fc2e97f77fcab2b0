package io.cascade.protocol.sdp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A session description (RFC 8866) as RTSP carries it in ANNOUNCE and DESCRIBE: the origin, session name, connection and
 * timing lines, the session attributes (a=control, a=range...) and the media descriptions. Parsing keeps those and skips
 * the other line types (i=, u=, e=, p=, b=, r=, z=, k=); writing produces CRLF-ended lines in the order RFC 8866 asks.
 *
 * <p>Parsing is bounded: {@link #MAX_LENGTH} bytes in all, {@link #MAX_MEDIA} media descriptions, {@link #MAX_ATTRIBUTES}
 * attributes per description and {@link #MAX_FORMATS} formats per m= line. Lines may end with CRLF or a bare LF, as
 * several encoders write them.
 */
public record SessionDescription(String origin, String sessionName, String connection, String timing,
                                 List<Attribute> attributes, List<MediaDescription> media) {
    /** Longest description accepted: real ones are well under 2 KiB, even with large parameter sets. */
    public static final int MAX_LENGTH = 16 << 10;
    /** Most media descriptions: a stream has a few (video, audio, data); 64 leaves room for anything real. */
    public static final int MAX_MEDIA = 64;
    /** Most attributes in the session part or in one media description. */
    public static final int MAX_ATTRIBUTES = 128;
    /** Most formats (payload types) on one m= line. */
    public static final int MAX_FORMATS = 32;

    public SessionDescription {
        checkText(origin);
        checkText(sessionName);
        if (connection != null) {
            checkText(connection);
        }
        checkText(timing);
        attributes = List.copyOf(attributes);
        media = List.copyOf(media);
    }

    /** Parses UTF-8 bytes (an RTSP body). */
    public static SessionDescription parse(byte[] body) throws SdpException {
        if (body == null || body.length > MAX_LENGTH) {
            throw new SdpException("session description of " + (body == null ? 0 : body.length) + " bytes (at most "
                    + MAX_LENGTH + ")");
        }
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    public static SessionDescription parse(String text) throws SdpException {
        if (text == null || text.length() > MAX_LENGTH) {
            throw new SdpException("session description longer than " + MAX_LENGTH);
        }
        String origin = null;
        String name = null;
        String sessionConnection = null;
        String timing = null;
        List<Attribute> sessionAttributes = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();
        // the media description being read
        String[] m = null;
        String mConnection = null;
        List<Attribute> mAttributes = null;
        int lineNo = 0;
        boolean versionSeen = false;
        int p = 0;
        while (p < text.length()) {
            int nl = text.indexOf('\n', p);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(p, end > p && text.charAt(end - 1) == '\r' ? end - 1 : end);
            p = end + 1;
            lineNo++;
            if (line.isEmpty()) {
                continue; // tolerated: a trailing blank line is common
            }
            if (line.indexOf('\r') >= 0) {
                throw new SdpException("carriage return inside line " + lineNo);
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw new SdpException("line " + lineNo + " is not <type>=<value>");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (!versionSeen) {
                if (type != 'v' || !value.trim().equals("0")) {
                    throw new SdpException("a session description starts with v=0");
                }
                versionSeen = true;
                continue;
            }
            switch (type) {
                case 'm' -> {
                    if (m != null) {
                        media.add(media(m, mConnection, mAttributes));
                    }
                    if (media.size() == MAX_MEDIA) {
                        throw new SdpException("more than " + MAX_MEDIA + " media descriptions");
                    }
                    m = value.trim().split(" +");
                    if (m.length < 4) {
                        throw new SdpException("malformed media line m=" + value);
                    }
                    if (m.length - 3 > MAX_FORMATS) {
                        throw new SdpException("more than " + MAX_FORMATS + " formats in m=" + value);
                    }
                    mConnection = null;
                    mAttributes = new ArrayList<>();
                }
                case 'a' -> {
                    List<Attribute> target = m == null ? sessionAttributes : mAttributes;
                    if (target.size() == MAX_ATTRIBUTES) {
                        throw new SdpException("more than " + MAX_ATTRIBUTES + " attributes in one description");
                    }
                    int colon = value.indexOf(':');
                    String attrName = colon < 0 ? value : value.substring(0, colon);
                    if (attrName.isEmpty()) {
                        throw new SdpException("attribute without a name on line " + lineNo);
                    }
                    target.add(new Attribute(attrName, colon < 0 ? null : value.substring(colon + 1)));
                }
                case 'c' -> {
                    if (m == null) {
                        sessionConnection = value;
                    } else {
                        mConnection = value;
                    }
                }
                case 'o' -> origin = m == null ? value : origin;
                case 's' -> name = m == null ? value : name;
                case 't' -> timing = timing == null ? value : timing;
                case 'v' -> throw new SdpException("v= again on line " + lineNo);
                default -> {
                    // other line types carry nothing RTSP ingest or playback uses
                }
            }
        }
        if (!versionSeen) {
            throw new SdpException("empty session description");
        }
        if (m != null) {
            media.add(media(m, mConnection, mAttributes));
        }
        // o=, s= and t= are mandatory, but encoders in the field omit them now and then: fill in neutral values
        return new SessionDescription(origin == null ? "- 0 0 IN IP4 0.0.0.0" : origin, name == null ? "-" : name,
                sessionConnection, timing == null ? "0 0" : timing, sessionAttributes, media);
    }

    private static MediaDescription media(String[] m, String connection, List<Attribute> attributes) throws SdpException {
        String port = m[1];
        int slash = port.indexOf('/');
        int portNumber = number(slash < 0 ? port : port.substring(0, slash), "port");
        if (portNumber > 0xFFFF) {
            throw new SdpException("port " + portNumber);
        }
        List<String> formats = List.of(m).subList(3, m.length);
        return new MediaDescription(m[0], portNumber, m[2], formats, connection, attributes);
    }

    /** A decimal number of at most 9 digits. */
    static int number(String s, String what) throws SdpException {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new SdpException(what + " '" + s + "' is not a number");
        }
        return Integer.parseInt(t);
    }

    /** Field text may hold no line break: it would start a new line on the wire. */
    static void checkText(String s) {
        if (s == null || s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("SDP field with a line break or missing: " + s);
        }
    }

    /** The value of the first session attribute called {@code name} (any case), "" for a property attribute, or null. */
    public String attribute(String name) {
        return Attribute.find(attributes, name);
    }

    /** Session-level {@code a=control} (often "*"), or null. */
    public String control() {
        return attribute("control");
    }

    /** Session-level {@code a=range} (e.g. "npt=0-" for live), or null. */
    public String range() {
        return attribute("range");
    }

    /**
     * A description for a live stream as an RTSP server answers DESCRIBE: aggregate control "*", open-ended range
     * "npt=0-", and the given media.
     */
    public static SessionDescription live(String sessionName, String originAddress, List<MediaDescription> media) {
        return new SessionDescription("- 0 0 IN IP4 " + originAddress, sessionName, "IN IP4 0.0.0.0", "0 0",
                List.of(new Attribute("tool", "cascade"), new Attribute("control", "*"), new Attribute("range", "npt=0-")),
                media);
    }

    /**
     * The same description with its session-level {@code a=range} set to {@code range} (e.g. "npt=0-12.040" for a
     * file of that length, which players show as its duration and seek within).
     */
    public SessionDescription withRange(String range) {
        List<Attribute> changed = new ArrayList<>(attributes.size() + 1);
        for (Attribute a : attributes) {
            if (!a.name().equals("range")) {
                changed.add(a);
            }
        }
        changed.add(new Attribute("range", range));
        return new SessionDescription(origin, sessionName, connection, timing, changed, media);
    }

    /** The description as text, CRLF after every line. */
    public String write() {
        StringBuilder sb = new StringBuilder(512);
        sb.append("v=0\r\n");
        sb.append("o=").append(origin).append("\r\n");
        sb.append("s=").append(sessionName).append("\r\n");
        if (connection != null) {
            sb.append("c=").append(connection).append("\r\n");
        }
        sb.append("t=").append(timing).append("\r\n");
        for (Attribute a : attributes) {
            sb.append(a.line()).append("\r\n");
        }
        for (MediaDescription md : media) {
            md.write(sb);
        }
        return sb.toString();
    }
}
