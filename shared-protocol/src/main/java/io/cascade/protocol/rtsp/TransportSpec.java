package io.cascade.protocol.rtsp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One alternative of a Transport header (RFC 2326 section 12.39): RTP over UDP ("RTP/AVP", which is also what
 * "RTP/AVP/UDP" means) or interleaved in the RTSP connection ("RTP/AVP/TCP"), and the parameters a server acts on.
 *
 * <p>{@code interleaved}, {@code clientPort} and {@code serverPort} are null or an {rtp, rtcp} pair; a single number in
 * the header means RTCP on the next one, as the RFC says. {@code mode} is upper-cased and null when the header has none,
 * which means PLAY ({@link #effectiveMode()}). Parameters this record has no field for (destination, source, ttl,
 * append, rtcp-mux...) are kept in {@code others} in header order, names lower-cased, "" for a parameter without a value,
 * so a server can see and refuse what it does not support (a destination other than the client, say).
 *
 * <p>The arrays are copied in and out: a record is a value.
 */
public record TransportSpec(String protocol, boolean multicast, int[] interleaved, int[] clientPort, int[] serverPort,
                            String mode, Long ssrc, Map<String, String> others) {
    public static final String UDP = "RTP/AVP";
    public static final String TCP = "RTP/AVP/TCP";
    /** Longest Transport header parsed: the decoder allows no longer header line anyway. */
    public static final int MAX_LENGTH = RtspDecoder.MAX_HEADER_LINE;
    /** Most alternatives read from one header; clients offer one to three. */
    public static final int MAX_ALTERNATIVES = 16;
    /** Most parameters in one alternative: the RFC defines 13. */
    public static final int MAX_PARAMETERS = 32;

    public TransportSpec {
        if (!UDP.equals(protocol) && !TCP.equals(protocol)) {
            throw new IllegalArgumentException("transport protocol " + protocol + " is not " + UDP + " or " + TCP);
        }
        interleaved = pair(interleaved, 255, "interleaved");
        clientPort = pair(clientPort, 0xFFFF, "client_port");
        serverPort = pair(serverPort, 0xFFFF, "server_port");
        if (mode != null && (!Syntax.isToken(mode) || !mode.equals(mode.toUpperCase(Locale.ROOT)))) {
            throw new IllegalArgumentException("mode " + mode + " is not an upper-case token");
        }
        if (ssrc != null && (ssrc < 0 || ssrc > 0xFFFFFFFFL)) {
            throw new IllegalArgumentException("ssrc " + ssrc + " is not 32 bits");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : (others == null ? Map.<String, String>of() : others).entrySet()) {
            String k = e.getKey();
            String v = Objects.requireNonNull(e.getValue(), "value of " + k);
            if (!Syntax.isToken(k) || !k.equals(k.toLowerCase(Locale.ROOT)) || isKnown(k)) {
                throw new IllegalArgumentException("transport parameter name " + k);
            }
            // what format() writes must read back as this parameter and nothing more
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == ',' || c == ';' || c == ' ' || Syntax.isForbiddenControl(c) || c == '\t') {
                    throw new IllegalArgumentException("transport parameter " + k + " value '" + v + "'");
                }
            }
            copy.put(k, v);
        }
        others = Collections.unmodifiableMap(copy);
    }

    private static int[] pair(int[] p, int max, String what) {
        if (p == null) {
            return null;
        }
        if (p.length != 2 || p[0] < 0 || p[1] < 0 || p[0] > max || p[1] > max) {
            throw new IllegalArgumentException(what + " " + Arrays.toString(p) + " is not a pair in 0.." + max);
        }
        return p.clone();
    }

    private static boolean isKnown(String name) {
        return switch (name) {
            case "unicast", "multicast", "interleaved", "client_port", "server_port", "mode", "ssrc" -> true;
            default -> false;
        };
    }

    /** Plain unicast UDP to the client's RTP and RTCP ports. */
    public static TransportSpec udp(int clientRtp, int clientRtcp) {
        return new TransportSpec(UDP, false, null, new int[] {clientRtp, clientRtcp}, null, null, null, Map.of());
    }

    /** Interleaved in the RTSP connection on channels {@code rtp} and {@code rtcp}. */
    public static TransportSpec tcp(int rtp, int rtcp) {
        return new TransportSpec(TCP, false, new int[] {rtp, rtcp}, null, null, null, null, Map.of());
    }

    /** RTP interleaved in the RTSP connection. */
    public boolean tcp() {
        return TCP.equals(protocol);
    }

    /** The mode, PLAY when the header named none (RFC 2326 section 12.39). */
    public String effectiveMode() {
        return mode == null ? "PLAY" : mode;
    }

    /** The client sends media (ANNOUNCE then RECORD: a publisher). */
    public boolean record() {
        return "RECORD".equals(mode);
    }

    @Override
    public int[] interleaved() {
        return interleaved == null ? null : interleaved.clone();
    }

    @Override
    public int[] clientPort() {
        return clientPort == null ? null : clientPort.clone();
    }

    @Override
    public int[] serverPort() {
        return serverPort == null ? null : serverPort.clone();
    }

    public TransportSpec withInterleaved(int rtp, int rtcp) {
        return new TransportSpec(protocol, multicast, new int[] {rtp, rtcp}, clientPort, serverPort, mode, ssrc, others);
    }

    public TransportSpec withClientPort(int rtp, int rtcp) {
        return new TransportSpec(protocol, multicast, interleaved, new int[] {rtp, rtcp}, serverPort, mode, ssrc, others);
    }

    public TransportSpec withServerPort(int rtp, int rtcp) {
        return new TransportSpec(protocol, multicast, interleaved, clientPort, new int[] {rtp, rtcp}, mode, ssrc, others);
    }

    public TransportSpec withSsrc(long ssrc) {
        return new TransportSpec(protocol, multicast, interleaved, clientPort, serverPort, mode, ssrc, others);
    }

    /** {@code mode} upper-cased, or null to leave it out. */
    public TransportSpec withMode(String mode) {
        return new TransportSpec(protocol, multicast, interleaved, clientPort, serverPort,
                mode == null ? null : mode.toUpperCase(Locale.ROOT), ssrc, others);
    }

    /** The same transport without the parameters in {@code others}: what a server answers with what it understood. */
    public TransportSpec withoutOthers() {
        return new TransportSpec(protocol, multicast, interleaved, clientPort, serverPort, mode, ssrc, Map.of());
    }

    /**
     * Every alternative of a Transport header, in the client's order of preference. Alternatives of a transport we do
     * not carry (RTP/SAVP, RTP/AVPF, RAW/RAW/UDP...) and malformed ones are left out; when none is left, throws 461 if
     * every one was well-formed but unsupported, else 400.
     */
    public static List<TransportSpec> parseAll(String header) throws RtspException {
        if (header == null || header.isBlank()) {
            throw new RtspException(400, "empty Transport header");
        }
        if (header.length() > MAX_LENGTH) {
            throw new RtspException(400, "Transport header longer than " + MAX_LENGTH);
        }
        List<String> alternatives = split(header, ',', MAX_ALTERNATIVES, "transport alternatives");
        List<TransportSpec> out = new ArrayList<>(alternatives.size());
        boolean malformed = false;
        String firstProblem = null;
        for (String alternative : alternatives) {
            try {
                out.add(parseOne(alternative));
            } catch (RtspException e) {
                malformed |= e.status() != 461;
                firstProblem = firstProblem == null ? e.getMessage() : firstProblem;
            }
        }
        if (out.isEmpty()) {
            throw new RtspException(malformed ? 400 : 461, firstProblem);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Splits at {@code separator} outside double quotes (a quoted value such as mode="PLAY" may hold one); at most
     * {@code max} pieces, an unbalanced quote is malformed.
     */
    private static List<String> split(String s, char separator, int max, String what) throws RtspException {
        List<String> out = new ArrayList<>(4);
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : separator;
            if (c == '"' && i < s.length()) {
                quoted = !quoted;
            } else if (c == separator && (!quoted || i == s.length())) {
                if (quoted) {
                    throw new RtspException(400, "unbalanced quote in Transport");
                }
                if (out.size() == max) {
                    throw new RtspException(400, "more than " + max + " " + what);
                }
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    private static TransportSpec parseOne(String text) throws RtspException {
        List<String> parts = split(text, ';', MAX_PARAMETERS + 1, "transport parameters");
        String spec = Syntax.trimSpaces(parts.get(0));
        String protocol = switch (spec.toUpperCase(Locale.ROOT)) {
            case "RTP/AVP", "RTP/AVP/UDP" -> UDP;
            case "RTP/AVP/TCP" -> TCP;
            default -> null;
        };
        if (protocol == null) {
            if (!spec.matches("[A-Za-z0-9_.+-]+/[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)?")) {
                throw new RtspException(400, "transport '" + spec + "' is not protocol/profile[/lower-transport]");
            }
            // well-formed, but not a transport we carry: the client may offer another, else 461
            throw new RtspException(461, "unsupported transport " + spec);
        }
        boolean multicast = false;
        int[] interleaved = null;
        int[] clientPort = null;
        int[] serverPort = null;
        String mode = null;
        Long ssrc = null;
        Map<String, String> others = new LinkedHashMap<>();
        for (int i = 1; i < parts.size(); i++) {
            String p = Syntax.trimSpaces(parts.get(i));
            if (p.isEmpty()) {
                continue; // a trailing ';' is common enough and harmless
            }
            int eq = p.indexOf('=');
            String name = Syntax.trimSpaces(eq < 0 ? p : p.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(Syntax.trimSpaces(p.substring(eq + 1)));
            if (!Syntax.isToken(name)) {
                throw new RtspException(400, "transport parameter '" + p + "'");
            }
            switch (name) {
                case "unicast" -> multicast = false;
                case "multicast" -> multicast = true;
                case "interleaved" -> interleaved = range(value, 255, name);
                case "client_port" -> clientPort = range(value, 0xFFFF, name);
                case "server_port" -> serverPort = range(value, 0xFFFF, name);
                case "mode" -> mode = mode(value);
                case "ssrc" -> ssrc = ssrc(value);
                default -> {
                    if (value != null && !value.matches("[\\x21-\\x7E&&[^,;\"]]*")) {
                        throw new RtspException(400, "transport parameter " + name + " value '" + value + "'");
                    }
                    others.put(name, value == null ? "" : value);
                }
            }
        }
        return new TransportSpec(protocol, multicast, interleaved, clientPort, serverPort, mode, ssrc, others);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"' ? v.substring(1, v.length() - 1)
                : v;
    }

    /** "n" or "n-m", each 0..max; "n" alone means n and n+1. */
    private static int[] range(String value, int max, String name) throws RtspException {
        if (value == null) {
            throw new RtspException(400, name + " without a value");
        }
        int dash = value.indexOf('-');
        int a = number(dash < 0 ? value : value.substring(0, dash), max, name);
        int b = dash < 0 ? a + 1 : number(value.substring(dash + 1), max, name);
        if (b > max) {
            throw new RtspException(400, name + "=" + value + ": the RTCP half would be " + b);
        }
        return new int[] {a, b};
    }

    private static int number(String s, int max, String name) throws RtspException {
        long v = Syntax.digits(Syntax.trimSpaces(s), 5);
        if (v < 0 || v > max) {
            throw new RtspException(400, name + " '" + s + "' is not a number in 0.." + max);
        }
        return (int) v;
    }

    private static String mode(String value) throws RtspException {
        if (value == null || !Syntax.isToken(value)) {
            throw new RtspException(400, "mode '" + value + "'");
        }
        return value.toUpperCase(Locale.ROOT);
    }

    /** 1 to 8 hex digits (RFC 2326 writes 8; some servers drop leading zeros). */
    private static Long ssrc(String value) throws RtspException {
        if (value == null || value.isEmpty() || value.length() > 8 || !value.matches("[0-9A-Fa-f]+")) {
            throw new RtspException(400, "ssrc '" + value + "' is not 1 to 8 hex digits");
        }
        return Long.parseLong(value, 16);
    }

    /**
     * Back to header syntax: protocol, unicast or multicast, interleaved, client_port, server_port, ssrc (8 hex digits),
     * mode, then the other parameters in their order; e.g. "RTP/AVP/TCP;unicast;interleaved=0-1".
     */
    public String format() {
        StringBuilder sb = new StringBuilder(96).append(protocol).append(multicast ? ";multicast" : ";unicast");
        appendPair(sb, "interleaved", interleaved);
        appendPair(sb, "client_port", clientPort);
        appendPair(sb, "server_port", serverPort);
        if (ssrc != null) {
            sb.append(";ssrc=").append(String.format("%08X", ssrc));
        }
        if (mode != null) {
            sb.append(";mode=").append(mode);
        }
        others.forEach((k, v) -> sb.append(';').append(k).append(v.isEmpty() ? "" : "=" + v));
        return sb.toString();
    }

    private static void appendPair(StringBuilder sb, String name, int[] p) {
        if (p != null) {
            sb.append(';').append(name).append('=').append(p[0]).append('-').append(p[1]);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportSpec t && protocol.equals(t.protocol) && multicast == t.multicast
                && Arrays.equals(interleaved, t.interleaved) && Arrays.equals(clientPort, t.clientPort)
                && Arrays.equals(serverPort, t.serverPort) && Objects.equals(mode, t.mode)
                && Objects.equals(ssrc, t.ssrc) && others.equals(t.others);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, multicast, Arrays.hashCode(interleaved), Arrays.hashCode(clientPort),
                Arrays.hashCode(serverPort), mode, ssrc, others);
    }

    @Override
    public String toString() {
        return "TransportSpec{" + format() + '}';
    }
}
