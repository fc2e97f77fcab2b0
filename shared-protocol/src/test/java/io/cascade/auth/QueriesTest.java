package io.cascade.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueriesTest {
    @Test
    void aTokenQueryIsCarriedAsItIs() {
        String q = "expires=1700000000&sig=2e9fba6b8cdf7db277575f566d183825fe86318950388e641726344be08e8a4d";
        assertEquals(q, Queries.safe(q));
    }

    @Test
    void anythingThatCouldBreakTheTextItGoesIntoIsPercentEncoded() {
        assertEquals("a=%22%3E%3Cscript%3E&b=%27%5C%24Number%24%20%0A%3F", Queries.safe("a=\"><script>&b='\\$Number$ \n?"));
        assertEquals("n=%C3%A9", Queries.safe("n=é"));
        assertEquals("", Queries.safe(null));
        assertEquals("", Queries.safe("x".repeat(Queries.MAX_CARRIED_LENGTH + 1)));
        String all = Queries.safe("\u0000\u001f\u007f\"'<>\\$ #");
        assertTrue(all.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '%'), all);
    }

    @Test
    void aParameterIsTakenOutWhereverItIs() {
        assertEquals("expires=1&sig=ab", Queries.without("protocol=hls&expires=1&sig=ab", "protocol"));
        assertEquals("expires=1&sig=ab", Queries.without("expires=1&protocol&sig=ab&&protocol=ws", "protocol"));
        assertEquals("protocols=x", Queries.without("protocols=x", "protocol"));
        assertEquals("", Queries.without("", "protocol"));
    }
}
