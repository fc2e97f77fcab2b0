package io.cascade.edge.ts;

import io.cascade.relay.LiteralAddress;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where an MPEG-TS push over UDP sends, as ffmpeg and EMS write it:
 * {@code mpegtsudp://<host>:<port>[?ttl=..&pkt_size=..&interface=..]}. The host is a receiver's name or address, or a
 * multicast group.
 *
 * @param host      a host name or an IP address (IPv6 without brackets)
 * @param ttl       multicast hops (0..255); a unicast datagram goes with the system's TTL
 * @param packetSize bytes per datagram at most: a whole number of 188-byte TS packets, 1316 (seven) unless asked
 * @param iface     a multicast group's outgoing interface (a name or one of its addresses); empty: the system's route
 */
public record TsUdpTarget(String host, int port, int ttl, int packetSize, String iface) {
    public static final String SCHEME = "mpegtsudp";
    public static final int TS_PACKET = 188;
    /** Seven TS packets: 1316 bytes fit a 1500-byte Ethernet frame with IP and UDP headers, as every TS sender does. */
    public static final int DEFAULT_PACKET_SIZE = 7 * TS_PACKET;
    /** The most TS packets a UDP datagram over IPv4 holds (65,507 payload bytes). */
    public static final int MAX_PACKET_SIZE = 65_507 / TS_PACKET * TS_PACKET;
    /** One hop: a group stays on the sender's network unless the operator says otherwise. */
    public static final int DEFAULT_TTL = 1;
    /** Longer is no URI a person or a script writes; the bound keeps a hostile API call cheap. */
    public static final int MAX_LENGTH = 1024;
    private static final Set<String> FIELDS = Set.of("ttl", "pkt_size", "interface");

    /** @throws IllegalArgumentException naming what is wrong with the URI */
    public static TsUdpTarget parse(String uri) {
        if (uri == null || uri.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the URI must be at most " + MAX_LENGTH + " characters");
        }
        int colon = uri.indexOf("://");
        if (colon < 0 || !uri.substring(0, colon).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            throw new IllegalArgumentException("not an " + SCHEME + ":// URI");
        }
        String rest = uri.substring(colon + 3);
        int q = rest.indexOf('?');
        String authority = q < 0 ? rest : rest.substring(0, q);
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        if (authority.contains("/")) {
            throw new IllegalArgumentException("no path after " + SCHEME + "://<host>:<port>");
        }
        if (authority.contains("@")) {
            throw new IllegalArgumentException("user@ has no meaning here");
        }
        String host;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0 || authority.length() < close + 2 || authority.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("an IPv6 host is written [address]:port");
            }
            host = authority.substring(1, close);
            portText = authority.substring(close + 2);
            if (!LiteralAddress.is(host)) {
                throw new IllegalArgumentException("[" + host + "] is not an IPv6 address");
            }
        } else {
            int c = authority.lastIndexOf(':');
            if (c < 0) {
                throw new IllegalArgumentException("no port: the URI is " + SCHEME + "://<host>:<port>");
            }
            host = authority.substring(0, c);
            portText = authority.substring(c + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("an IPv6 host is written [address]:port");
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
            if (host.matches("[0-9.]+") ? !LiteralAddress.is(host) : !host.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")) {
                throw new IllegalArgumentException("host '" + host + "' is neither a host name nor an address");
            }
        }
        int port = number("port", portText, 1, 65_535);
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : (q < 0 ? "" : rest.substring(q + 1)).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (!FIELDS.contains(key)) {
                throw new IllegalArgumentException("unknown parameter " + key + " (" + SCHEME
                        + ":// takes ttl, pkt_size and interface)");
            }
            if (query.putIfAbsent(key, eq < 0 ? "" : pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
        }
        int ttl = query.containsKey("ttl") ? number("ttl", query.get("ttl"), 0, 255) : DEFAULT_TTL;
        int size = query.containsKey("pkt_size")
                ? number("pkt_size", query.get("pkt_size"), TS_PACKET, MAX_PACKET_SIZE) : DEFAULT_PACKET_SIZE;
        if (size % TS_PACKET != 0) {
            throw new IllegalArgumentException("pkt_size " + size + " is not a whole number of 188-byte TS packets"
                    + " (1316 is seven)");
        }
        String iface = query.getOrDefault("interface", "");
        if (!iface.isEmpty() && !LiteralAddress.isMulticast(host)) {
            throw new IllegalArgumentException("interface is for a multicast group: a unicast datagram takes the"
                    + " system's route");
        }
        if (!iface.matches("[A-Za-z0-9._:-]*")) {
            throw new IllegalArgumentException("interface '" + iface + "' is neither an interface name nor an address");
        }
        return new TsUdpTarget(host, port, ttl, size, iface);
    }

    /** Whether datagrams go to a group (a literal multicast address) rather than to one receiver. */
    public boolean multicast() {
        return LiteralAddress.isMulticast(host);
    }

    /** The destination, normalised: two pushes of one stream to one place are one too many. */
    public String describe() {
        return SCHEME + "://" + (host.contains(":") ? "[" + host + "]" : host.toLowerCase(Locale.ROOT)) + ":" + port;
    }

    private static int number(String name, String text, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " " + n + " is not " + min + ".." + max);
        }
        return n;
    }

}
