package io.cascade.auth;

import java.util.Objects;

/**
 * One client asking to publish or play, as every protocol presents it to authorisation.
 *
 * @param action   publish or play
 * @param stream   the name the client sent: for a publish to an ingest point its private name, for a play the public
 *                 name it asks for
 * @param credentials what the client presented: the query after the name (tokens), the user it proved
 * @param protocol the protocol's registered name ("rtmp", "rtsp", "ts", "http", "flv", "ws", ...)
 * @param peer     who asks, "address:port" as the protocol's socket names it (only the address reaches a callback)
 */
public record AccessRequest(Action action, String stream, Credentials credentials, String protocol, String peer) {
    public AccessRequest {
        Objects.requireNonNull(action);
        Objects.requireNonNull(stream);
        Objects.requireNonNull(credentials);
        Objects.requireNonNull(protocol);
        Objects.requireNonNull(peer);
    }

    /** A request that presents a query and no proven user. */
    public AccessRequest(Action action, String stream, String query, String protocol, String peer) {
        this(action, stream, Credentials.query(query), protocol, peer);
    }

    /** What followed the name after '?', raw ("" when none): where tokens travel. */
    public String query() {
        return credentials.query();
    }

    /** The peer's address without its port (and without IPv6 brackets): what a callback decides on. */
    public String peerAddress() {
        String p = peer;
        int colon = p.lastIndexOf(':');
        if (colon > 0 && colon < p.length() - 1 && p.substring(colon + 1).chars().allMatch(Character::isDigit)
                && (p.indexOf(':') == colon || p.startsWith("["))) {
            p = p.substring(0, colon);
        }
        if (p.startsWith("[") && p.endsWith("]")) {
            p = p.substring(1, p.length() - 1);
        }
        return p;
    }
}
