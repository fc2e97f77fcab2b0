package io.cascade.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The users file and each scheme's check, with the client's side computed here the way clients compute it (RFC 7617
 * Basic, RFC 2617 Digest with and without qop, the Adobe hash as ffmpeg and OBS form it).
 */
class PasswordsTest {
    private static final long NOW = 1_700_000_000L;
    private static final Passwords USERS = Passwords.parse("""
            # publishers
            studio:p@ss:with:colons
            viewer-1:watch it
            """);

    @Test
    void theFileGivesOneUserPerLineAndRefusesWhatItCannotReadNamingTheLineNeverItsContent() {
        assertEquals(2, USERS.size());
        assertTrue(USERS.matches("studio", "p@ss:with:colons"));
        assertTrue(USERS.matches("viewer-1", "watch it"));
        assertFalse(USERS.matches("studio", "p@ss"));
        assertFalse(USERS.matches("nobody", ""));
        for (String bad : new String[]{"no-colon-secret", "bad user:x", ":x", "u:", "a:1\na:2", "", "# only\n"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Passwords.parse(bad), bad);
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
        assertEquals("line 2: user a given twice",
                assertThrows(IllegalArgumentException.class, () -> Passwords.parse("a:1\na:2")).getMessage());
    }

    @Test
    void basicProvesAUserWithItsPasswordOnly() {
        assertEquals("studio", USERS.user("GET", basic("studio", "p@ss:with:colons"), NOW));
        assertEquals("studio", USERS.user("GET", "basic  " + b64("studio:p@ss:with:colons"), NOW));
        assertEquals("", USERS.user("GET", basic("studio", "wrong"), NOW));
        assertEquals("", USERS.user("GET", basic("ghost", "p@ss:with:colons"), NOW));
        assertEquals("", USERS.user("GET", "Basic !!!not-base64", NOW));
        assertEquals("", USERS.user("GET", "Basic " + b64("no colon"), NOW));
        assertEquals("", USERS.user("GET", null, NOW));
        assertEquals("", USERS.user("GET", "Bearer abc", NOW));
        assertEquals("", USERS.user("GET", "Basic " + "A".repeat(Passwords.MAX_HEADER_LENGTH), NOW));
    }

    @Test
    void digestProvesAUserForTheMethodAndNonceItWasComputedFor() {
        String nonce = nonceOf(USERS.digestChallenge(NOW));
        String plain = digest("viewer-1", "watch it", "DESCRIBE", "rtsp://h/cam", nonce, null);
        assertEquals("viewer-1", USERS.user("DESCRIBE", plain, NOW));
        String qop = digest("viewer-1", "watch it", "DESCRIBE", "rtsp://h/cam", nonce, "0a4f113b");
        assertEquals("viewer-1", USERS.user("DESCRIBE", qop, NOW + 10));
        assertEquals("", USERS.user("ANNOUNCE", plain, NOW), "another method");
        assertEquals("", USERS.user("DESCRIBE", digest("viewer-1", "nope", "DESCRIBE", "rtsp://h/cam", nonce, null),
                NOW));
        assertEquals("", USERS.user("DESCRIBE", plain, NOW + Passwords.NONCE_LIFETIME_SECONDS + 1), "stale nonce");
        String forged = nonce.substring(0, nonce.length() - 1) + (nonce.endsWith("0") ? "1" : "0");
        assertEquals("", USERS.user("DESCRIBE", digest("viewer-1", "watch it", "DESCRIBE", "rtsp://h/cam", forged,
                null), NOW), "a nonce we did not make");
        assertEquals("", USERS.user("DESCRIBE", plain.replace("realm=\"cascade\"", "realm=\"other\""), NOW));
        assertEquals("", USERS.user("DESCRIBE", plain + ", username=\"studio\"", NOW), "a parameter twice");
        assertEquals("", USERS.user("DESCRIBE", "Digest username=\"viewer-1\", nonce=\"" + nonce, NOW));
    }

    @Test
    void anotherNodeWithTheSameFileAcceptsTheNonceOneWithAnotherFileDoesNot() {
        String nonce = nonceOf(USERS.digestChallenge(NOW));
        String answer = digest("viewer-1", "watch it", "DESCRIBE", "rtsp://h/cam", nonce, null);
        Passwords sameFile = Passwords.parse("# publishers\nstudio:p@ss:with:colons\nviewer-1:watch it\n");
        assertEquals("viewer-1", sameFile.user("DESCRIBE", answer, NOW));
        assertEquals("", Passwords.parse("viewer-1:watch it\n").user("DESCRIBE", answer, NOW));
    }

    @Test
    void theAdobeAnswerMatchesOnlyForTheRightPasswordAndAFreshNonce() {
        String opaque = USERS.nonce("adobe", NOW);
        String salt = USERS.salt("studio");
        assertEquals(salt, USERS.salt("studio"), "a user's salt does not change");
        String response = adobe("studio", salt, "p@ss:with:colons", opaque, "1a2b3c4d");
        assertTrue(USERS.adobeAnswerMatches("studio", opaque, "1a2b3c4d", response, NOW));
        assertFalse(USERS.adobeAnswerMatches("studio", opaque, "1a2b3c4e", response, NOW));
        assertFalse(USERS.adobeAnswerMatches("studio", opaque, "1a2b3c4d",
                adobe("studio", salt, "wrong", opaque, "1a2b3c4d"), NOW));
        assertFalse(USERS.adobeAnswerMatches("studio", opaque, "1a2b3c4d", response,
                NOW + Passwords.NONCE_LIFETIME_SECONDS + 1));
        assertFalse(USERS.adobeAnswerMatches("studio", USERS.nonce("digest", NOW), "1a2b3c4d", response, NOW));
        assertFalse(USERS.adobeAnswerMatches("ghost", opaque, "1a2b3c4d", response, NOW));
    }

    static String basic(String user, String password) {
        return "Basic " + b64(user + ":" + password);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String nonceOf(String challenge) {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge);
        assertTrue(m.find(), challenge);
        return m.group(1);
    }

    /** The Authorization header a client computes (RFC 2617 3.2.2), with qop=auth when given a cnonce. */
    static String digest(String user, String password, String method, String uri, String nonce, String cnonce) {
        String ha1 = md5(user + ":cascade:" + password);
        String ha2 = md5(method + ":" + uri);
        String head = "Digest username=\"" + user + "\", realm=\"cascade\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", ";
        if (cnonce == null) {
            return head + "response=\"" + md5(ha1 + ":" + nonce + ":" + ha2) + "\"";
        }
        return head + "qop=auth, nc=00000001, cnonce=\"" + cnonce + "\", response=\""
                + md5(ha1 + ":" + nonce + ":00000001:" + cnonce + ":auth:" + ha2) + "\"";
    }

    /** The Adobe answer as ffmpeg computes it: base64(md5(base64(md5(user salt password)) opaque challenge)). */
    static String adobe(String user, String salt, String password, String opaque, String challenge) {
        String first = Base64.getEncoder().encodeToString(md5Bytes(user + salt + password));
        return Base64.getEncoder().encodeToString(md5Bytes(first + opaque + challenge));
    }

    private static String md5(String text) {
        return HexFormat.of().formatHex(md5Bytes(text));
    }

    private static byte[] md5Bytes(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
