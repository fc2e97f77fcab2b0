package io.cascade.ingest.ts;

import io.cascade.relay.LiteralAddress;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where an MPEG-TS pull reads from, with EMS's schemes:
 *
 * <ul>
 *   <li>{@code dmpegtsudp://<host>:<port>[?interface=..&source=..]}: this node listens on the UDP port; the host is
 *       the local address to bind ({@code 0.0.0.0} for all), or a multicast group to join, on {@code interface}
 *       (a name or one of its addresses) and for source-specific multicast from {@code source} only, as
 *       {@code ts.listeners} takes them;</li>
 *   <li>{@code dmpegtstcp://<host>:<port>}: this node connects to a server that sends a transport stream.</li>
 * </ul>
 *
 * @param host  UDP: an IP address (IPv6 without brackets); TCP: a host name or address
 * @param iface UDP multicast: the interface to join on; empty: the system's choice
 * @param source UDP source-specific multicast: the one sender taken; empty: any
 */
public record TsPullUri(Transport transport, String host, int port, String iface, String source) {
    public enum Transport { UDP, TCP }

    public static final String UDP_SCHEME = "dmpegtsudp";
    public static final String TCP_SCHEME = "dmpegtstcp";
    /** Longer is no URI a person or a script writes; the bound keeps a hostile API call cheap. */
    public static final int MAX_LENGTH = 1024;
    private static final Set<String> UDP_FIELDS = Set.of("interface", "source");

    /** @throws IllegalArgumentException naming what is wrong with the URI */
    public static TsPullUri parse(String uri) {
        if (uri == null || uri.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the URI must be at most " + MAX_LENGTH + " characters");
        }
        int colon = uri.indexOf("://");
        String scheme = colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
        Transport transport = switch (scheme) {
            case UDP_SCHEME -> Transport.UDP;
            case TCP_SCHEME -> Transport.TCP;
            default -> throw new IllegalArgumentException("not a " + UDP_SCHEME + ":// or " + TCP_SCHEME + ":// URI");
        };
        String rest = uri.substring(colon + 3);
        int q = rest.indexOf('?');
        String authority = q < 0 ? rest : rest.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : rest.substring(q + 1));
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        if (authority.contains("/")) {
            throw new IllegalArgumentException("no path after " + scheme + "://<host>:<port>");
        }
        HostPort hp = HostPort.parse(authority);
        if (transport == Transport.TCP) {
            if (!query.isEmpty()) {
                throw new IllegalArgumentException(TCP_SCHEME + ":// takes no parameters, not "
                        + String.join(", ", query.keySet()));
            }
            if (!hp.host().matches("[A-Za-z0-9.:-]+")) {
                throw new IllegalArgumentException("host '" + hp.host() + "' is neither a host name nor an address");
            }
            return new TsPullUri(transport, hp.host(), hp.port(), "", "");
        }
        for (String key : query.keySet()) {
            if (!UDP_FIELDS.contains(key)) {
                throw new IllegalArgumentException("unknown parameter " + key + " (" + UDP_SCHEME
                        + ":// takes interface and source)");
            }
        }
        if (!LiteralAddress.is(hp.host())) {
            throw new IllegalArgumentException("host '" + hp.host() + "' must be an IP address: the address to listen on"
                    + " (0.0.0.0 for all) or a multicast group to join");
        }
        String iface = query.getOrDefault("interface", "");
        if (!iface.isEmpty() && !LiteralAddress.isMulticast(hp.host())) {
            throw new IllegalArgumentException("interface needs a multicast group as the host: it is where the group"
                    + " is joined");
        }
        if (!iface.matches("[A-Za-z0-9._:-]*")) {
            throw new IllegalArgumentException("interface '" + iface + "' is neither an interface name nor an address");
        }
        TsPullUri parsed = new TsPullUri(transport, hp.host(), hp.port(), iface, query.getOrDefault("source", ""));
        parsed.listener("x"); // the listener's own checks: source only with a group, a literal source
        return parsed;
    }

    /** The UDP socket to listen on, as a TS listener of {@code stream} would (UDP only). */
    public TsListenerSpec listener(String stream) {
        boolean multicast = LiteralAddress.isMulticast(host);
        if (!multicast && !source.isEmpty()) {
            throw new IllegalArgumentException("source needs a multicast group as the host: it selects the group's"
                    + " sender");
        }
        String bind = multicast ? (host.contains(":") ? "::" : "0.0.0.0") : host; // a group's socket binds the group
        return new TsListenerSpec(TsListenerSpec.Transport.UDP, bind, port, stream, multicast ? host : "", iface,
                source);
    }

    /** The URI written back without anything but what tells one source from another: for logs and duplicates. */
    public String describe() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        String base = (transport == Transport.UDP ? UDP_SCHEME : TCP_SCHEME) + "://" + h + ":" + port;
        return source.isEmpty() ? base : base + "?source=" + source;
    }

    private static Map<String, String> query(String query) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (fields.putIfAbsent(key, eq < 0 ? "" : pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
        }
        return fields;
    }

    /** A host and a port as URIs write them ({@code [v6]:port} too); the port is required and not 0. */
    record HostPort(String host, int port) {
        static HostPort parse(String authority) {
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
            } else {
                int colon = authority.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("no port: the URI is <scheme>://<host>:<port>");
                }
                host = authority.substring(0, colon);
                portText = authority.substring(colon + 1);
                if (host.contains(":")) {
                    throw new IllegalArgumentException("an IPv6 host is written [address]:port");
                }
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port '" + portText + "' is not a number");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is not 1..65535");
            }
            return new HostPort(host, port);
        }

    }
}
