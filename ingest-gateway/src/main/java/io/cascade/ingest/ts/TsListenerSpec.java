package io.cascade.ingest.ts;

import io.cascade.media.StreamNames;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One MPEG-TS listener as the operator wrote it: UDP or TCP, where it binds, the stream it feeds, and for UDP the
 * multicast group it joins.
 *
 * <p>Written either as a URI, {@code udp://0.0.0.0:9000?stream=cam1&group=239.1.1.1&interface=eth0&source=10.0.0.5},
 * or as the same fields in query form, {@code protocol=udp&port=9000&stream=cam1} (what a YAML list entry
 * {@code {protocol: udp, port: 9000, stream: cam1}} becomes).
 *
 * @param stream    the name publishers on it publish under (through admission, so an ingest point's private name
 *                  works); empty: a name derived from the listener ({@link #derivedName})
 * @param group     multicast group to join (UDP only), empty for unicast
 * @param iface     interface (name or one of its addresses) to join the group on; empty: the system's choice
 * @param source    for source-specific multicast, the only sender accepted; empty: any
 */
public record TsListenerSpec(Transport transport, String host, int port, String stream, String group, String iface,
                             String source) {
    public enum Transport { UDP, TCP }

    /** Longest listener description accepted: a URI with every field is well under it. */
    public static final int MAX_TEXT_LENGTH = 1024;
    private static final Set<String> FIELDS = Set.of("protocol", "host", "port", "stream", "group", "interface", "source");

    public TsListenerSpec {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not a port");
        }
        if (!stream.isEmpty() && !StreamNames.isValid(stream)) {
            throw new IllegalArgumentException("stream " + stream + " breaks the naming rule [A-Za-z0-9._-]{1,128}");
        }
        if (!group.isEmpty()) {
            if (transport != Transport.UDP) {
                throw new IllegalArgumentException("group needs protocol udp: TCP has no multicast");
            }
            multicastGroup(group);
        }
        if (!source.isEmpty() && group.isEmpty()) {
            throw new IllegalArgumentException("source needs a group: it selects the sender of a multicast group");
        }
        if (!source.isEmpty()) {
            literalAddress(source);
        }
    }

    /** A UDP or TCP listener on {@code host:port} for {@code stream} (empty: derived). */
    public static TsListenerSpec of(Transport transport, String host, int port, String stream) {
        return new TsListenerSpec(transport, host, port, stream, "", "", "");
    }

    /** Parses either form (see the class comment); {@code defaultHost} fills a missing host. */
    public static TsListenerSpec parse(String text, String defaultHost) {
        String t = text.trim();
        if (t.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("longer than " + MAX_TEXT_LENGTH + " characters");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String query = t;
        int scheme = t.indexOf("://");
        if (scheme >= 0) {
            fields.put("protocol", t.substring(0, scheme));
            String rest = t.substring(scheme + 3);
            int q = rest.indexOf('?');
            String authority = q < 0 ? rest : rest.substring(0, q);
            query = q < 0 ? "" : rest.substring(q + 1);
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("no port in " + t);
            }
            if (colon > 0) {
                fields.put("host", authority.substring(0, colon));
            }
            fields.put("port", authority.substring(colon + 1));
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (!FIELDS.contains(key)) {
                throw new IllegalArgumentException("unknown field " + key + " (known: " + String.join(", ", FIELDS) + ")");
            }
            if (fields.putIfAbsent(key, eq < 0 ? "" : pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
        }
        String protocol = fields.getOrDefault("protocol", "").toLowerCase(Locale.ROOT);
        Transport transport = switch (protocol) {
            case "udp" -> Transport.UDP;
            case "tcp" -> Transport.TCP;
            default -> throw new IllegalArgumentException("protocol must be udp or tcp, not '" + protocol + "'");
        };
        String portText = fields.get("port");
        if (portText == null) {
            throw new IllegalArgumentException("no port");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port " + portText + " is not a number");
        }
        String host = fields.getOrDefault("host", "");
        return new TsListenerSpec(transport, host.isEmpty() ? defaultHost : host, port, fields.getOrDefault("stream", ""),
                fields.getOrDefault("group", ""), fields.getOrDefault("interface", ""), fields.getOrDefault("source", ""));
    }

    /**
     * The name a publisher without a configured stream publishes under: the listener's port, and for TCP the
     * number of the connection on it, so each connected publisher is a stream of its own.
     */
    public String derivedName(long connection) {
        return transport == Transport.UDP ? "ts-udp-" + port : "ts-tcp-" + port + "-" + connection;
    }

    /** The address the socket binds: a multicast listener binds its group, so it gets that group's datagrams only. */
    public String bindHost() {
        return group.isEmpty() ? host : group;
    }

    /** For the startup line. */
    public String describe() {
        StringBuilder b = new StringBuilder(transport.name().toLowerCase(Locale.ROOT));
        b.append(stream.isEmpty() ? ", stream named after the listener" : ", stream " + stream);
        if (!group.isEmpty()) {
            b.append(", multicast ").append(group);
            if (!source.isEmpty()) {
                b.append(" from ").append(source);
            }
            if (!iface.isEmpty()) {
                b.append(" on ").append(iface);
            }
        }
        return b.toString();
    }

    /** The group, checked: a literal multicast address. */
    public static String multicastGroup(String group) {
        if (!literalAddress(group).isMulticastAddress()) {
            throw new IllegalArgumentException("group " + group + " is not a multicast address");
        }
        return group;
    }

    /** Only literal addresses: a listener description must never wait for DNS. */
    private static InetAddress literalAddress(String text) {
        if (!text.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
            throw new IllegalArgumentException(text + " is not an IP address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text + " is not an IP address");
        }
    }
}
