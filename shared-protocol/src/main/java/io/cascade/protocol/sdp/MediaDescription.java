package io.cascade.protocol.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One media description: the {@code m=} line ({@code m=video 0 RTP/AVP 96}), its connection line if any, and its
 * attributes in order. Lines of other types inside it (i=, b=, k=) are not kept.
 */
public record MediaDescription(String media, int port, String protocol, List<String> formats, String connection,
                               List<Attribute> attributes) {
    public MediaDescription {
        SessionDescription.checkText(media);
        SessionDescription.checkText(protocol);
        formats = List.copyOf(formats);
        formats.forEach(SessionDescription::checkText);
        if (connection != null) {
            SessionDescription.checkText(connection);
        }
        attributes = List.copyOf(attributes);
    }

    /** The value of the first attribute called {@code name} (any case), "" for a property attribute, or null. */
    public String attribute(String name) {
        return Attribute.find(attributes, name);
    }

    /** {@code a=control}: the URL (absolute, or relative to the session's) that SETUP names this stream by, or null. */
    public String control() {
        return attribute("control");
    }

    /** The first payload type of the m= line as a number, or -1 when it is not one. */
    public int payloadType() {
        if (formats.isEmpty()) {
            return -1;
        }
        try {
            int pt = Integer.parseInt(formats.get(0));
            return pt >= 0 && pt <= 127 ? pt : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The rtpmap of payload type {@code pt}, or null when there is none (static payload types need none).
     *
     * @throws SdpException when the rtpmap line is malformed
     */
    public RtpMap rtpMap(int pt) throws SdpException {
        String value = forPayloadType("rtpmap", pt);
        if (value == null) {
            return null;
        }
        String[] parts = value.trim().split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isBlank()) {
            throw new SdpException("malformed rtpmap " + value);
        }
        int rate = SessionDescription.number(parts[1], "clock rate");
        int channels = parts.length == 3 ? SessionDescription.number(parts[2], "channel count") : 0;
        if (rate == 0) {
            throw new SdpException("clock rate 0 in rtpmap " + value);
        }
        return new RtpMap(pt, parts[0].trim(), rate, channels);
    }

    /**
     * The format parameters of payload type {@code pt} ({@code a=fmtp:<pt> k=v;k=v}) with names compared without case; a
     * parameter with no {@code =} maps to "". Empty when there is no fmtp line.
     */
    public Map<String, String> fmtp(int pt) {
        String value = forPayloadType("fmtp", pt);
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (value == null) {
            return out;
        }
        for (String part : value.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                out.putIfAbsent(p, "");
            } else {
                out.putIfAbsent(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        return out;
    }

    /** The rest of the first {@code a=<name>:<pt> rest} line for this payload type, or null. */
    private String forPayloadType(String name, int pt) {
        String prefix = Integer.toString(pt);
        for (Attribute a : attributes) {
            if (a.name().equalsIgnoreCase(name) && a.value() != null) {
                String v = a.value().trim();
                int sp = 0;
                while (sp < v.length() && !Character.isWhitespace(v.charAt(sp))) {
                    sp++;
                }
                if (v.substring(0, sp).equals(prefix)) {
                    return v.substring(sp).trim();
                }
            }
        }
        return null;
    }

    /** A media description for one RTP stream, as a server announces it. */
    public static MediaDescription rtp(String media, int payloadType, RtpMap rtpMap, Map<String, String> fmtp,
                                       String control) {
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(new Attribute("rtpmap", rtpMap.value()));
        if (!fmtp.isEmpty()) {
            StringBuilder sb = new StringBuilder().append(payloadType).append(' ');
            String sep = "";
            for (Map.Entry<String, String> e : fmtp.entrySet()) {
                sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
                sep = ";";
            }
            attributes.add(new Attribute("fmtp", sb.toString()));
        }
        if (control != null) {
            attributes.add(new Attribute("control", control));
        }
        return new MediaDescription(media.toLowerCase(Locale.ROOT), 0, "RTP/AVP", List.of(Integer.toString(payloadType)),
                null, attributes);
    }

    /** Format parameters in the order given, for {@link #rtp}. */
    static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    void write(StringBuilder sb) {
        sb.append("m=").append(media).append(' ').append(port).append(' ').append(protocol);
        for (String f : formats) {
            sb.append(' ').append(f);
        }
        sb.append("\r\n");
        if (connection != null) {
            sb.append("c=").append(connection).append("\r\n");
        }
        for (Attribute a : attributes) {
            sb.append(a.line()).append("\r\n");
        }
    }
}
