package io.cascade.rtmp;

import io.cascade.auth.Passwords;

import java.util.HashMap;
import java.util.Map;

/**
 * RTMP's password check: the challenge FMS introduced ("authmod=adobe") that ffmpeg, OBS and other encoders answer
 * when their URL holds {@code user:password@}. It runs on {@code connect}, over three connections, because a
 * client learns of each step from a rejected connect and connects again:
 * <ol>
 *   <li>a connect with no {@code authmod} is told {@code code=403 need auth; authmod=adobe};</li>
 *   <li>{@code app?authmod=adobe&user=U} is sent a salt and a nonce ({@code ?reason=needauth&user=U&salt=..
 *       &challenge=..&opaque=..});</li>
 *   <li>{@code app?authmod=adobe&user=U&challenge=C&response=R&opaque=..} is accepted as U when R is the hash
 *       {@link Passwords#adobeAnswerMatches} expects, else told {@code ?reason=authfailed}.</li>
 * </ol>
 * A wrong user gets the same answer as a wrong password, so the check tells nobody which users exist.
 */
final class AdobeAuth {
    private static final String REJECT = "[ AccessManager.Reject ] : ";
    static final String NEED_AUTH = REJECT + "[ code=403 need auth; authmod=adobe ] : ";
    static final String FAILED = REJECT + "[ authmod=adobe ] : ?reason=authfailed";

    /** The outcome of one connect: the user it proved, or the description of its rejection. */
    record Answer(String user, String rejection) {
        static Answer rejected(String description) {
            return new Answer("", description);
        }
    }

    private AdobeAuth() {
    }

    /** Decides on a connect whose application carried {@code query} (raw, "" when none). */
    static Answer connect(Passwords passwords, String query, long nowSeconds) {
        if (query.length() > Passwords.MAX_HEADER_LENGTH) {
            return Answer.rejected(FAILED);
        }
        Map<String, String> p = parameters(query);
        if (!"adobe".equals(p.get("authmod"))) {
            return Answer.rejected(NEED_AUTH);
        }
        String user = p.get("user");
        if (user == null || !user.matches("[A-Za-z0-9._~-]{1," + Passwords.MAX_USER_LENGTH + "}")) {
            return Answer.rejected(FAILED);
        }
        String response = p.get("response");
        if (response == null) {
            String nonce = passwords.nonce("adobe", nowSeconds);
            return Answer.rejected(REJECT + "[ authmod=adobe ] : ?reason=needauth&user=" + user + "&salt="
                    + passwords.salt(user) + "&challenge=" + nonce + "&opaque=" + nonce);
        }
        // clients hash in the opaque value when one was sent, the challenge when not: we send both alike
        String opaque = p.getOrDefault("opaque", p.get("challenge"));
        return passwords.adobeAnswerMatches(user, opaque, p.get("challenge"), response, nowSeconds)
                ? new Answer(user, null) : Answer.rejected(FAILED);
    }

    /** {@code name=value} pairs, raw: a base64 response keeps its '+' and '='; a name given twice voids the query. */
    private static Map<String, String> parameters(String query) {
        Map<String, String> out = new HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && out.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
                return Map.of();
            }
        }
        return out;
    }
}
