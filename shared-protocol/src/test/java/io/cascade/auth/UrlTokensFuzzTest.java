package io.cascade.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.testing.FuzzSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The query every protocol hands to authorisation, fuzzed: checking a token never throws, allows only a query whose
 * {@code sig} is the HMAC of its own {@code expires} (with the action and stream asked for) and that has not expired,
 * and never repeats a signature in its reason (reasons are logged). The redaction for log lines leaves no
 * {@code sig} value behind. Seeds: good, expired, forged and malformed tokens.
 * {@code JAZZER_FUZZ=1 mvn -pl shared-protocol test -Dtest=UrlTokensFuzzTest} fuzzes.
 */
class UrlTokensFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/auth/UrlTokensFuzzTestInputs");
    private static final UrlTokens TOKENS = new UrlTokens("fuzzing-secret-0123456789");
    private static final long NOW = 1_700_000_000L;

    @FuzzTest(maxDuration = "10s")
    void check(byte[] data) {
        String query = new String(data, StandardCharsets.UTF_8);
        Verdict v = TOKENS.check(Action.PLAY, "cam1", query, NOW);
        if (v.allowed()) {
            String expires = value(query, "expires");
            assertEquals(TOKENS.sign(Action.PLAY, "cam1", Long.parseLong(expires)), value(query, "sig").toLowerCase());
            assertTrue(Long.parseLong(expires) >= NOW);
        }
        String sig = value(query, "sig");
        if (sig != null && sig.length() >= 8) {
            assertFalse(v.reason().contains(sig), v.reason());
            assertFalse(UrlTokens.redact(query).contains("sig=" + sig), UrlTokens.redact(query));
        }
    }

    private static String value(String query, String name) {
        for (String pair : query.split("&", -1)) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> s = new TreeMap<>();
        s.put("good", TOKENS.mint(Action.PLAY, "cam1", NOW + 60).getBytes(StandardCharsets.UTF_8));
        s.put("expired", TOKENS.mint(Action.PLAY, "cam1", NOW - 1).getBytes(StandardCharsets.UTF_8));
        s.put("publish_token", TOKENS.mint(Action.PUBLISH, "cam1", NOW + 60).getBytes(StandardCharsets.UTF_8));
        s.put("with_other_parameters", ("protocol=hls&" + TOKENS.mint(Action.PLAY, "cam1", NOW + 60) + "&x=y")
                .getBytes(StandardCharsets.UTF_8));
        s.put("twice", ("sig=00&" + TOKENS.mint(Action.PLAY, "cam1", NOW + 60)).getBytes(StandardCharsets.UTF_8));
        s.put("malformed", "expires=-1&sig=zz&&=&sig".getBytes(StandardCharsets.UTF_8));
        return Map.of("check", s);
    }

    @Test
    void fuzzBodyAcceptsEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("check", this::check), 500);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
