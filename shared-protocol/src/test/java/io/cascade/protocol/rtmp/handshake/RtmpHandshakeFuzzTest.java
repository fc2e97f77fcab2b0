package io.cascade.protocol.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.testing.FuzzSeeds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The server's side of the RTMP handshake over arbitrary C0+C1 bytes (padded with zeros or cut to 1537): a version other
 * than 3 is the only refusal (an {@link RtmpProtocolException}); anything else is answered with S0+S1+S2 of the right
 * size, and a C1 that carries a client digest in either scheme gets an answer a digest-checking client accepts.
 * Seeds: plain and digest hellos of both schemes, and ones damaged at the version and in the digest.
 * {@code JAZZER_FUZZ=1 mvn -pl shared-protocol test -Dtest=RtmpHandshakeFuzzTest} fuzzes.
 */
class RtmpHandshakeFuzzTest {
    private static final Path SEED_DIR =
            Path.of("src/test/resources/io/cascade/protocol/rtmp/handshake/RtmpHandshakeFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void serverResponse(byte[] data) {
        run(data);
    }

    static void run(byte[] data) {
        byte[] c0c1 = Arrays.copyOf(data, RtmpHandshake.C0C1_SIZE);
        byte[] answer;
        try {
            answer = RtmpHandshake.serverResponse(c0c1);
        } catch (RtmpProtocolException e) {
            assertTrue((c0c1[0] & 0xFF) != RtmpHandshake.VERSION, "refused a version 3 hello: " + e.getMessage());
            return;
        }
        assertEquals(RtmpHandshake.VERSION, c0c1[0] & 0xFF);
        assertEquals(RtmpHandshake.S0S1S2_SIZE, answer.length);
        assertEquals(RtmpHandshake.VERSION, answer[0]);
        byte[] c1 = Arrays.copyOfRange(c0c1, 1, RtmpHandshake.C0C1_SIZE);
        if (RtmpHandshake.clientScheme(c1) >= 0) {
            assertTrue(RtmpHandshake.verifyServerDigest(c0c1, answer), "a digest hello gets a verifiable answer");
        } else {
            assertTrue(Arrays.equals(c1, Arrays.copyOfRange(answer, 1 + RtmpHandshake.PACKET_SIZE,
                    RtmpHandshake.S0S1S2_SIZE)), "a plain hello's C1 is echoed as S2");
        }
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> s = new TreeMap<>();
        s.put("plain", hello(-1));
        s.put("digest_scheme0", hello(RtmpHandshake.SCHEME_KEY_FIRST));
        s.put("digest_scheme1", hello(RtmpHandshake.SCHEME_DIGEST_FIRST));
        byte[] version6 = hello(RtmpHandshake.SCHEME_DIGEST_FIRST);
        version6[0] = 6; // what RTMPE asks for
        s.put("version6", version6);
        byte[] damaged = hello(RtmpHandshake.SCHEME_KEY_FIRST);
        damaged[1 + 1000] ^= 0x55; // signed bytes changed after signing
        s.put("digest_damaged", damaged);
        s.put("short", new byte[] {3, 0, 0, 0, 0});
        return Map.of("serverResponse", s);
    }

    /** A C0+C1 with fixed bytes (so the seed files do not change between runs), signed in the scheme (-1: plain). */
    static byte[] hello(int scheme) {
        byte[] c0c1 = new byte[RtmpHandshake.C0C1_SIZE];
        c0c1[0] = RtmpHandshake.VERSION;
        for (int i = 9; i < c0c1.length; i++) {
            c0c1[i] = (byte) (i * 7 + 3);
        }
        if (scheme >= 0) {
            byte[] c1 = Arrays.copyOfRange(c0c1, 1, c0c1.length);
            c1[4] = 9; // a client version: a digest C1 has one (a plain one has zeros there)
            RtmpHandshake.signClient(c1, scheme);
            System.arraycopy(c1, 0, c0c1, 1, c1.length);
        }
        return c0c1;
    }

    @Test
    void fuzzBodyAcceptsEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("serverResponse", RtmpHandshakeFuzzTest::run), 200);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
