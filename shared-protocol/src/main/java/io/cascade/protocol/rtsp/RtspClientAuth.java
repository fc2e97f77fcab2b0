package io.cascade.protocol.rtsp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer of a client to a server's 401: an {@code Authorization} header for each later request, from the
 * challenges of {@code WWW-Authenticate}. Digest (RFC 2617, MD5, with or without {@code qop=auth}) is preferred when
 * offered, Basic otherwise: a Digest answer never sends the password itself.
 */
public final class RtspClientAuth {
    /** Most parameters read from one challenge; real ones have five. */
    static final int MAX_PARAMETERS = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String user;
    private final String password;
    private final Map<String, String> digest;
    private String cnonce;
    private int nonceCount;

    private RtspClientAuth(String user, String password, Map<String, String> digest) {
        this.user = user;
        this.password = password;
        this.digest = digest;
        byte[] c = new byte[8];
        RANDOM.nextBytes(c);
        this.cnonce = HexFormat.of().formatHex(c);
    }

    /**
     * How to answer the challenges of a 401.
     *
     * @param challenges every {@code WWW-Authenticate} value of the response
     * @throws RtspException (401) when none is Basic or Digest with MD5
     */
    public static RtspClientAuth answer(List<String> challenges, String user, String password) throws RtspException {
        boolean basic = false;
        for (String c : challenges) {
            String scheme = scheme(c);
            if (scheme.equals("digest")) {
                Map<String, String> p = parameters(c.substring(c.indexOf(' ') + 1));
                String algorithm = p.getOrDefault("algorithm", "MD5");
                String qop = p.get("qop");
                if (p.containsKey("nonce") && algorithm.equalsIgnoreCase("MD5")
                        && (qop == null || qopList(qop).contains("auth"))) {
                    return new RtspClientAuth(user, password, p);
                }
            } else if (scheme.equals("basic")) {
                basic = true;
            }
        }
        if (basic) {
            return new RtspClientAuth(user, password, null);
        }
        throw new RtspException(401, "the server asks for authentication this client does not speak: " + challenges);
    }

    /** Fixes the client nonce, for RFC 2617's worked example. */
    RtspClientAuth withCnonce(String c) {
        cnonce = c;
        return this;
    }

    /** The scheme this answers with: "Digest" or "Basic". */
    public String scheme() {
        return digest != null ? "Digest" : "Basic";
    }

    /** The {@code Authorization} value for a request. */
    public String authorization(String method, String uri) {
        if (digest == null) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
        String realm = digest.getOrDefault("realm", "");
        String nonce = digest.get("nonce");
        String ha1 = md5(user + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        boolean qop = digest.containsKey("qop");
        StringBuilder sb = new StringBuilder("Digest username=").append(quote(user)).append(", realm=")
                .append(quote(realm)).append(", nonce=").append(quote(nonce)).append(", uri=").append(quote(uri));
        if (qop) {
            String nc = String.format(Locale.ROOT, "%08x", ++nonceCount);
            sb.append(", qop=auth, nc=").append(nc).append(", cnonce=").append(quote(cnonce)).append(", response=")
                    .append(quote(md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)));
        } else {
            sb.append(", response=").append(quote(md5(ha1 + ":" + nonce + ":" + ha2)));
        }
        if (digest.containsKey("opaque")) {
            sb.append(", opaque=").append(quote(digest.get("opaque")));
        }
        if (digest.containsKey("algorithm")) {
            sb.append(", algorithm=MD5");
        }
        return sb.toString();
    }

    private static String scheme(String challenge) {
        String c = challenge.strip();
        int space = c.indexOf(' ');
        return (space < 0 ? c : c.substring(0, space)).toLowerCase(Locale.ROOT);
    }

    private static List<String> qopList(String qop) {
        return List.of(qop.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
    }

    /** The {@code name=value} and {@code name="quoted value"} parameters of a challenge, names in lower case. */
    static Map<String, String> parameters(String text) throws RtspException {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ',' || text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw new RtspException(401, "challenge parameter without a value");
            }
            String name = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                if (i >= n) {
                    throw new RtspException(401, "unclosed quoted challenge parameter");
                }
                i++;
            } else {
                while (i < n && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            if (out.size() == MAX_PARAMETERS) {
                throw new RtspException(401, "more than " + MAX_PARAMETERS + " challenge parameters");
            }
            out.put(name, value.toString().strip());
        }
        return out;
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has MD5", e);
        }
    }
}
