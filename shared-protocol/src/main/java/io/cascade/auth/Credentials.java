package io.cascade.auth;

import java.util.Objects;

/**
 * What a client presented to be let in, whatever its protocol.
 *
 * @param query           what followed the stream name after '?', raw ("" when none): where tokens and a callback's
 *                        parameters travel
 * @param user            the user whose password the client's protocol proved ({@link Passwords}: RTSP and HTTP
 *                        Basic or Digest, RTMP's Adobe challenge), or "" when it proved none
 * @param passwordOffered whether the client offered a password at all: one that offered none is challenged (asked
 *                        for one, as every password scheme starts), not refused
 */
public record Credentials(String query, String user, boolean passwordOffered) {
    /** Nothing presented. */
    public static final Credentials NONE = new Credentials("", "", false);

    public Credentials {
        Objects.requireNonNull(query);
        Objects.requireNonNull(user);
    }

    /** A query and no password: what a protocol without passwords presents. */
    public static Credentials query(String query) {
        return new Credentials(query, "", false);
    }
}
