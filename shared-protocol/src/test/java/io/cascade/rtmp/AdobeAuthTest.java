package io.cascade.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.auth.Passwords;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The three connects of RTMP's Adobe challenge, with the client's side done as ffmpeg's RTMP client does it: it reads
 * the rejection's description, and connects again with what it found there.
 */
class AdobeAuthTest {
    private static final long NOW = 1_700_000_000L;
    private static final Passwords USERS = Passwords.parse("enc:s3cret\n");

    @Test
    void anEncoderWithTheRightPasswordIsAcceptedOnItsThirdConnect() {
        AdobeAuth.Answer first = AdobeAuth.connect(USERS, "", NOW);
        assertTrue(first.rejection().contains("code=403 need auth; authmod=adobe"), first.rejection());

        AdobeAuth.Answer second = AdobeAuth.connect(USERS, "authmod=adobe&user=enc", NOW);
        String description = second.rejection();
        assertTrue(description.contains("?reason=needauth"), description);
        Map<String, String> sent = parameters(description.substring(description.indexOf("?reason=") + 1));
        assertEquals("enc", sent.get("user"));

        String response = answer("enc", "s3cret", sent.get("salt"), sent.get("opaque"), "0badcafe");
        AdobeAuth.Answer third = AdobeAuth.connect(USERS, "authmod=adobe&user=enc&challenge=0badcafe&response="
                + response + "&opaque=" + sent.get("opaque"), NOW + 1);
        assertNull(third.rejection());
        assertEquals("enc", third.user());
    }

    @Test
    void aWrongPasswordAnUnknownUserAndAReplayedLateAnswerAllFailAlike() {
        String opaque = USERS.nonce("adobe", NOW);
        String salt = USERS.salt("enc");
        String wrong = answer("enc", "guess", salt, opaque, "00000001");
        assertEquals(AdobeAuth.FAILED, AdobeAuth.connect(USERS, "authmod=adobe&user=enc&challenge=00000001&response="
                + wrong + "&opaque=" + opaque, NOW).rejection());
        assertEquals(AdobeAuth.FAILED, AdobeAuth.connect(USERS, "authmod=adobe&user=ghost&challenge=00000001&response="
                + answer("ghost", "x", USERS.salt("ghost"), opaque, "00000001") + "&opaque=" + opaque, NOW).rejection());
        String right = answer("enc", "s3cret", salt, opaque, "00000001");
        assertEquals(AdobeAuth.FAILED, AdobeAuth.connect(USERS, "authmod=adobe&user=enc&challenge=00000001&response="
                + right + "&opaque=" + opaque, NOW + Passwords.NONCE_LIFETIME_SECONDS + 1).rejection());
        assertEquals(AdobeAuth.FAILED, AdobeAuth.connect(USERS, "authmod=adobe&user=b%20d", NOW).rejection());
        // a parameter given twice voids the query: the client is asked to start over
        assertEquals(AdobeAuth.NEED_AUTH, AdobeAuth.connect(USERS, "authmod=adobe&user=enc&user=x", NOW).rejection());
        assertEquals(AdobeAuth.NEED_AUTH, AdobeAuth.connect(USERS, "authmod=llnw&user=enc", NOW).rejection());
    }

    /** What ffmpeg's client reads from a description: name=value pairs split at '&'. */
    private static Map<String, String> parameters(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    private static String answer(String user, String password, String salt, String opaque, String challenge) {
        String first = Base64.getEncoder().encodeToString(md5(user + salt + password));
        return Base64.getEncoder().encodeToString(md5(first + opaque + challenge));
    }

    private static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
