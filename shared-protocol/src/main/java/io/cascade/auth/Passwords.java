package io.cascade.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The users of {@code auth.users} and the password checks every protocol's own scheme needs: HTTP Basic and Digest
 * (RFC 7617, RFC 2617's MD5 form that RTSP clients speak, with or without {@code qop=auth}), and the hashing of the
 * Adobe scheme RTMP encoders answer a challenge with ({@link #salt}, {@link #nonce}, {@link #adobeAnswerMatches}).
 * Pure: no I/O, no clock, no logging.
 *
 * <p>The users file holds one {@code user:password} per line ({@code #} starts a comment). The schemes need the
 * password itself (Digest hashes it with the realm, Adobe with a salt), so it is stored as written: keep the file
 * readable by the node only.
 *
 * <p>Nonces carry their expiry and an HMAC of it, so no node keeps state between a challenge and its answer, and every
 * node with the same users file accepts another's nonce (an encoder that reconnects through a load balancer lands on
 * any node). The HMAC key is derived from the file's content.
 */
public final class Passwords {
    /** Users in one file at most. */
    public static final int MAX_USERS = 10_000;
    /** Longest user name: also what the RTMP challenge echoes, so it stays short and plain. */
    public static final int MAX_USER_LENGTH = 64;
    /** Longest password. */
    public static final int MAX_PASSWORD_LENGTH = 256;
    /** Longest credentials header (or RTMP challenge query) looked at. */
    public static final int MAX_HEADER_LENGTH = 2048;
    /** The realm of Basic and Digest challenges. */
    public static final String REALM = "cascade";
    /** How long a nonce may be answered: a client answers a challenge at once. */
    public static final long NONCE_LIFETIME_SECONDS = 300;
    /** Characters of a user name: what survives a URL's user part and a query unescaped. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_USER_LENGTH + "}");
    private static final Pattern NONCE = Pattern.compile("[0-9a-f]{8,12}-[0-9a-f]{32}");
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, String> users;
    private final SecretKeySpec nonceKey;

    private Passwords(Map<String, String> users, byte[] keyMaterial) {
        this.users = users;
        this.nonceKey = new SecretKeySpec(sha256(keyMaterial), "HmacSHA256");
    }

    /**
     * Reads a users file's text; throws {@link IllegalArgumentException} naming the line of the first problem (never
     * its content: it holds a password).
     */
    public static Passwords parse(String text) {
        Map<String, String> users = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = "line " + (i + 1) + ": ";
            if (colon < 0) {
                throw new IllegalArgumentException(where + "not user:password");
            }
            String user = line.substring(0, colon);
            String password = line.substring(colon + 1);
            if (!USER.matcher(user).matches()) {
                throw new IllegalArgumentException(where + "a user name is 1 to " + MAX_USER_LENGTH
                        + " of A-Z a-z 0-9 . _ ~ -");
            }
            if (password.isEmpty() || password.length() > MAX_PASSWORD_LENGTH) {
                throw new IllegalArgumentException(where + "a password is 1 to " + MAX_PASSWORD_LENGTH + " characters");
            }
            if (users.put(user, password) != null) {
                throw new IllegalArgumentException(where + "user " + user + " given twice");
            }
            if (users.size() > MAX_USERS) {
                throw new IllegalArgumentException("more than " + MAX_USERS + " users");
            }
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("no user in it");
        }
        return new Passwords(Map.copyOf(users), ("cascade nonce key\n" + text).getBytes(StandardCharsets.UTF_8));
    }

    public int size() {
        return users.size();
    }

    /** Whether {@code password} is {@code user}'s, compared in constant time. */
    public boolean matches(String user, String password) {
        String known = users.get(user);
        return known != null && MessageDigest.isEqual(known.getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8));
    }

    // ---- nonces ----

    /** A nonce for {@code purpose} ("digest", "adobe"), good until {@link #NONCE_LIFETIME_SECONDS} after now. */
    public String nonce(String purpose, long nowSeconds) {
        String expires = Long.toHexString(nowSeconds + NONCE_LIFETIME_SECONDS);
        return expires + "-" + HEX.formatHex(hmac(purpose + ":" + expires), 0, 16);
    }

    /** Whether {@code nonce} is one of ours for {@code purpose} and has not expired. */
    public boolean nonceValid(String purpose, String nonce, long nowSeconds) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            return false;
        }
        String expires = nonce.substring(0, nonce.indexOf('-'));
        byte[] mac = HEX.parseHex(nonce.substring(nonce.indexOf('-') + 1));
        byte[] expected = java.util.Arrays.copyOf(hmac(purpose + ":" + expires), 16);
        return MessageDigest.isEqual(mac, expected) && Long.parseLong(expires, 16) >= nowSeconds;
    }

    /** A salt for {@code user} that stays the same across challenges and nodes (RTMP's Adobe scheme hashes it in). */
    public String salt(String user) {
        return HEX.formatHex(hmac("salt:" + user), 0, 8);
    }

    // ---- HTTP Basic and Digest (RTSP's too) ----

    /** The challenge of a 401 for Basic. */
    public static String basicChallenge() {
        return "Basic realm=\"" + REALM + "\"";
    }

    /** The challenge of a 401 for Digest, with a fresh nonce. */
    public String digestChallenge(long nowSeconds) {
        return "Digest realm=\"" + REALM + "\", nonce=\"" + nonce("digest", nowSeconds) + "\", algorithm=MD5";
    }

    /**
     * The user an {@code Authorization} header proves for a request with {@code method}, by Basic or Digest, or ""
     * when it proves none (absent, malformed, unknown user, wrong password, stale nonce).
     */
    public String user(String method, String authorization, long nowSeconds) {
        if (authorization == null || authorization.length() > MAX_HEADER_LENGTH) {
            return "";
        }
        String header = authorization.strip();
        String scheme = header.indexOf(' ') < 0 ? header : header.substring(0, header.indexOf(' '));
        String rest = header.substring(scheme.length()).strip();
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "basic" -> basic(rest);
            case "digest" -> digest(method, rest, nowSeconds);
            default -> "";
        };
    }

    private String basic(String encoded) {
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return "";
        }
        String user = pair.substring(0, colon);
        return matches(user, pair.substring(colon + 1)) ? user : "";
    }

    private String digest(String method, String params, long nowSeconds) {
        Map<String, String> p = digestParameters(params);
        String user = p.get("username");
        String password = user == null ? null : users.get(user);
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        String algorithm = p.getOrDefault("algorithm", "MD5");
        if (password == null || uri == null || response == null || !REALM.equals(p.get("realm"))
                || !algorithm.equalsIgnoreCase("MD5") || !nonceValid("digest", nonce, nowSeconds)) {
            return "";
        }
        String ha1 = md5Hex(user + ":" + REALM + ":" + password);
        String ha2 = md5Hex(method + ":" + uri);
        String qop = p.get("qop");
        String expected;
        if (qop == null) {
            expected = md5Hex(ha1 + ":" + nonce + ":" + ha2);
        } else if (qop.equals("auth") && p.get("nc") != null && p.get("cnonce") != null) {
            expected = md5Hex(ha1 + ":" + nonce + ":" + p.get("nc") + ":" + p.get("cnonce") + ":auth:" + ha2);
        } else {
            return "";
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII)) ? user : "";
    }

    /** {@code name=value} and {@code name="value"} pairs separated by commas; a name given twice voids the header. */
    static Map<String, String> digestParameters(String params) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = params.length();
        while (i < n) {
            while (i < n && (params.charAt(i) == ',' || params.charAt(i) == ' ' || params.charAt(i) == '\t')) {
                i++;
            }
            int eq = params.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = params.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            String value;
            if (eq + 1 < n && params.charAt(eq + 1) == '"') {
                int close = params.indexOf('"', eq + 2);
                if (close < 0) {
                    return Map.of();
                }
                value = params.substring(eq + 2, close);
                i = close + 1;
            } else {
                int comma = params.indexOf(',', eq + 1);
                int end = comma < 0 ? n : comma;
                value = params.substring(eq + 1, end).strip();
                i = end;
            }
            if (out.put(name, value) != null) {
                return Map.of();
            }
        }
        return out;
    }

    // ---- RTMP's Adobe scheme ----

    /**
     * Whether an Adobe-scheme answer proves {@code user}: the client was sent {@link #salt} and a nonce for
     * "adobe" as its opaque value, chose {@code challenge} itself, and answers
     * {@code base64(md5(base64(md5(user salt password)) opaque challenge))}.
     */
    public boolean adobeAnswerMatches(String user, String opaque, String challenge, String response, long nowSeconds) {
        String password = users.get(user);
        if (password == null || challenge == null || response == null || !nonceValid("adobe", opaque, nowSeconds)) {
            return false;
        }
        Base64.Encoder b64 = Base64.getEncoder();
        String first = b64.encodeToString(md5(user + salt(user) + password));
        String expected = b64.encodeToString(md5(first + opaque + challenge));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response.getBytes(StandardCharsets.UTF_8));
    }

    // ---- hashing ----

    static String md5Hex(String text) {
        return HEX.formatHex(digest("MD5", text.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] md5(String text) {
        return digest("MD5", text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    private byte[] hmac(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(nonceKey);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
