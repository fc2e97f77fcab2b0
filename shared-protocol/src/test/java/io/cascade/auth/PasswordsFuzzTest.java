package io.cascade.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.testing.FuzzSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The {@code Authorization} headers clients send to RTSP and HTTP, fuzzed: reading one never throws, and proves a user
 * only with that user's password (the fuzzer cannot compute an MD5 preimage, so any other user it proves is a bug).
 * The users file reader, fuzzed too: it parses or refuses with {@link IllegalArgumentException}, nothing else.
 * Seeds: good Basic and Digest answers (with and without qop), wrong ones, and malformed parameter lists.
 * {@code JAZZER_FUZZ=1 mvn -pl shared-protocol test -Dtest=PasswordsFuzzTest} fuzzes.
 */
class PasswordsFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/auth/PasswordsFuzzTestInputs");
    private static final Passwords USERS = Passwords.parse("viewer:watch-it\n");
    private static final long NOW = 1_700_000_000L;
    private static final String NONCE = PasswordsTest.nonceOf(USERS.digestChallenge(NOW));

    @FuzzTest(maxDuration = "10s")
    void authorization(byte[] data) {
        String header = new String(data, StandardCharsets.UTF_8);
        String user = USERS.user("DESCRIBE", header, NOW);
        assertNotNull(user);
        if (!user.isEmpty()) {
            assertEquals("viewer", user, header);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void usersFile(byte[] data) {
        try {
            Passwords p = Passwords.parse(new String(data, StandardCharsets.UTF_8));
            assertEquals(true, p.size() > 0 && p.size() <= Passwords.MAX_USERS);
        } catch (IllegalArgumentException expected) {
            // refused, with a reason
        }
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> headers = new TreeMap<>();
        headers.put("basic", bytes(PasswordsTest.basic("viewer", "watch-it")));
        headers.put("basic_wrong", bytes(PasswordsTest.basic("viewer", "guess")));
        headers.put("digest", bytes(PasswordsTest.digest("viewer", "watch-it", "DESCRIBE", "rtsp://h/cam", NONCE,
                null)));
        headers.put("digest_qop", bytes(PasswordsTest.digest("viewer", "watch-it", "DESCRIBE", "rtsp://h/cam", NONCE,
                "0a4f113b")));
        headers.put("digest_unclosed", bytes("Digest username=\"viewer\", nonce=\"" + NONCE));
        headers.put("digest_empty_values", bytes("Digest ,,=,username=,realm=\"\",response"));
        Map<String, byte[]> files = new TreeMap<>();
        files.put("two_users", bytes("# comment\nviewer:watch-it\r\nenc:p:w\n"));
        files.put("bad_line", bytes("viewer\n"));
        return Map.of("authorization", headers, "usersFile", files);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("authorization", this::authorization, "usersFile", this::usersFile),
                500);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
