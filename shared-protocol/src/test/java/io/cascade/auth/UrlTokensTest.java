package io.cascade.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlTokensTest {
    private static final String SECRET = "a-secret-of-32-bytes-for-tests!!";
    private static final long EXPIRES = 1_700_000_000L;
    private final UrlTokens tokens = new UrlTokens(SECRET);

    /** What the README's openssl line prints for the same secret and message (computed with OpenSSL 3). */
    @Test
    void signaturesAreWhatOpensslPrints() {
        assertEquals("318d973642914e0df191bf88ea07eecc19969febb4881c5f7e0e3d0a10c63100",
                tokens.sign(Action.PUBLISH, "cam1", EXPIRES)); // printf 'publish:cam1:1700000000' | openssl dgst ...
        assertEquals("expires=1700000000&sig=2e9fba6b8cdf7db277575f566d183825fe86318950388e641726344be08e8a4d",
                tokens.mint(Action.PLAY, "cam1", EXPIRES));
    }

    @Test
    void aMintedTokenIsGoodUpToItsExpirySecondForItsActionAndStreamOnly() {
        String play = tokens.mint(Action.PLAY, "cam1", EXPIRES);
        assertTrue(tokens.check(Action.PLAY, "cam1", play, EXPIRES - 100).allowed());
        assertTrue(tokens.check(Action.PLAY, "cam1", play, EXPIRES).allowed());
        Verdict late = tokens.check(Action.PLAY, "cam1", play, EXPIRES + 1);
        assertFalse(late.allowed());
        assertTrue(late.presented());
        assertTrue(late.reason().contains("expired"), late.reason());
        assertFalse(tokens.check(Action.PUBLISH, "cam1", play, EXPIRES - 1).allowed(), "a play token does not publish");
        assertFalse(tokens.check(Action.PLAY, "cam2", play, EXPIRES - 1).allowed(), "nor open another stream");
        assertFalse(new UrlTokens(SECRET + "x").check(Action.PLAY, "cam1", play, EXPIRES - 1).allowed(),
                "nor pass where another secret is set");
    }

    @Test
    void otherParametersAreIgnoredAndUpperCaseHexIsTheSameSignature() {
        String sig = tokens.sign(Action.PLAY, "cam1", EXPIRES);
        assertTrue(tokens.check(Action.PLAY, "cam1", "protocol=hls&expires=" + EXPIRES + "&cdn=x&sig=" + sig,
                EXPIRES).allowed());
        assertTrue(tokens.check(Action.PLAY, "cam1", "sig=" + sig.toUpperCase() + "&expires=" + EXPIRES,
                EXPIRES).allowed());
    }

    @Test
    void everyMalformedOrForgedTokenIsRefusedAndSaysWhetherOneWasPresented() {
        String sig = tokens.sign(Action.PLAY, "cam1", EXPIRES);
        Verdict none = tokens.check(Action.PLAY, "cam1", "", EXPIRES);
        assertFalse(none.allowed());
        assertFalse(none.presented());
        assertFalse(tokens.check(Action.PLAY, "cam1", "protocol=hls", EXPIRES).presented());
        String[] bad = {
            "expires=" + EXPIRES, // no sig
            "sig=" + sig, // no expires
            "expires=" + EXPIRES + "&sig=" + sig.substring(1), // short
            "expires=" + EXPIRES + "&sig=" + sig + "00", // long
            "expires=" + EXPIRES + "&sig=" + sig.replace(sig.charAt(5), sig.charAt(5) == 'a' ? 'b' : 'a'),
            "expires=" + EXPIRES + "&sig=" + "z".repeat(64), // not hex
            "expires=0" + EXPIRES + "&sig=" + sig, // not the signed text
            "expires=+" + EXPIRES + "&sig=" + sig,
            "expires=" + (EXPIRES + 1) + "&sig=" + sig, // a later expiry under the old signature
            "expires=" + EXPIRES + "&sig=" + sig + "&sig=" + sig, // twice: no guessing which counts
            "expires=" + EXPIRES + "&expires=" + EXPIRES + "&sig=" + sig,
            "expires=99999999999999999999&sig=" + sig,
            "expires=" + EXPIRES + "&sig=" + sig + "&x=" + "y".repeat(UrlTokens.MAX_QUERY_LENGTH),
        };
        for (String q : bad) {
            Verdict v = tokens.check(Action.PLAY, "cam1", q, EXPIRES - 1);
            assertFalse(v.allowed(), q);
            assertTrue(v.presented(), q);
            assertFalse(v.reason().contains(sig), "the reason never holds the signature: " + v.reason());
        }
    }

    @Test
    void aShortSecretIsRefusedAndRedactionHidesEverySignature() {
        assertThrows(IllegalArgumentException.class, () -> new UrlTokens("short"));
        assertEquals("expires=1&sig=(redacted)&a=b&sig=(redacted)", UrlTokens.redact("expires=1&sig=abc&a=b&sig=def"));
        assertEquals("xsig=1", UrlTokens.redact("xsig=1"));
        assertEquals("", UrlTokens.redact(null));
    }
}
