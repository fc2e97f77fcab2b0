package io.cascade.auth;

/**
 * Authorisation's answer to one {@link AccessRequest}.
 *
 * @param allowed   whether the client may go on
 * @param presented whether the client presented credentials at all (a token in its query, or anything a callback
 *                  looked at): HTTP answers 401 to a refusal without, 403 to one with
 * @param reason    why, for logs; never holds a token, a signature or the secret
 */
public record Verdict(boolean allowed, boolean presented, String reason) {
    /** Allowed because the node asks for nothing. */
    public static final Verdict OPEN = new Verdict(true, false, "no authorisation required");

    public static Verdict allow(String reason) {
        return new Verdict(true, true, reason);
    }

    public static Verdict deny(boolean presented, String reason) {
        return new Verdict(false, presented, reason);
    }
}
