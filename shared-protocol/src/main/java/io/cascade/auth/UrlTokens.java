package io.cascade.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Signed URL tokens: a query {@code expires=<unix seconds>&sig=<hex HMAC-SHA256(secret, "<action>:<stream>:<expires>")>}
 * that a web application or CDN holding the shared secret mints, and every node checks with no state and no call
 * anywhere. The signature binds the action and the stream name, so a play token does not publish and a token for one
 * stream does not open another; it is compared in constant time; a token is good up to and including its
 * {@code expires} second.
 *
 * <p>Other parameters in the query are ignored (a player page's {@code protocol=hls}, a CDN's own); {@code expires}
 * or {@code sig} given twice is refused rather than guessed at. Nothing here logs, and no {@link Verdict} reason holds
 * the signature: use {@link #redact} before a query goes into a log line.
 */
public final class UrlTokens {
    /** Bytes of secret at least: HMAC-SHA256 takes any key, but a short one can be guessed offline from one token. */
    public static final int MIN_SECRET_BYTES = 16;
    /** Longest query looked at: far beyond any real one, and a bound on what a client makes us scan. */
    public static final int MAX_QUERY_LENGTH = 4096;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern EXPIRES = Pattern.compile("0|[1-9][0-9]{0,11}");
    private static final Pattern SIG = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Pattern SIG_VALUE = Pattern.compile("(^|&)(sig=)[^&]*");

    private final SecretKeySpec key;

    public UrlTokens(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a token secret needs at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /** The query that lets {@code action} on {@code stream} until {@code expires} (unix seconds). */
    public String mint(Action action, String stream, long expires) {
        if (expires < 0) {
            throw new IllegalArgumentException("expires " + expires);
        }
        return "expires=" + expires + "&sig=" + HexFormat.of().formatHex(signature(action, stream, expires));
    }

    /** The hex signature alone, as {@code openssl dgst -sha256 -hmac <secret>} prints it for the same message. */
    public String sign(Action action, String stream, long expires) {
        return HexFormat.of().formatHex(signature(action, stream, expires));
    }

    /** Whether the query carries a good, unexpired token for {@code action} on {@code stream} at {@code nowSeconds}. */
    public Verdict check(Action action, String stream, String query, long nowSeconds) {
        if (query.length() > MAX_QUERY_LENGTH) {
            return Verdict.deny(true, "query too long");
        }
        String expires = null;
        String sig = null;
        for (String pair : query.split("&", -1)) {
            if (pair.startsWith("expires=")) {
                if (expires != null) {
                    return Verdict.deny(true, "expires given twice");
                }
                expires = pair.substring("expires=".length());
            } else if (pair.startsWith("sig=")) {
                if (sig != null) {
                    return Verdict.deny(true, "sig given twice");
                }
                sig = pair.substring("sig=".length());
            }
        }
        if (expires == null && sig == null) {
            return Verdict.deny(false, "no token");
        }
        if (expires == null || sig == null) {
            return Verdict.deny(true, "token without " + (expires == null ? "expires" : "sig"));
        }
        if (!EXPIRES.matcher(expires).matches() || !SIG.matcher(sig).matches()) {
            return Verdict.deny(true, "malformed token");
        }
        long at = Long.parseLong(expires);
        // the signature first: only a genuine token is reported (in logs) as expired
        boolean good = MessageDigest.isEqual(signature(action, stream, at), HexFormat.of().parseHex(sig));
        if (!good) {
            return Verdict.deny(true, "bad signature");
        }
        if (nowSeconds > at) {
            return Verdict.deny(true, "token expired " + (nowSeconds - at) + " s ago");
        }
        return Verdict.allow("token valid for " + (at - nowSeconds) + " s more");
    }

    private byte[] signature(Action action, String stream, long expires) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal((action.word() + ":" + stream + ":" + expires).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    /** The query with the value of every {@code sig} parameter replaced, for a log line. */
    public static String redact(String query) {
        return query == null ? "" : SIG_VALUE.matcher(query).replaceAll("$1$2(redacted)");
    }
}
