package io.cascade.protocol.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.rtmp.RtmpProtocolException;

import java.util.Arrays;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeTest {

    @Test
    void plainClientGetsEchoedC1() throws Exception {
        byte[] c0c1 = RtmpHandshake.clientHello(false);
        assertEquals(RtmpHandshake.C0C1_SIZE, c0c1.length);
        assertEquals(-1, RtmpHandshake.clientScheme(Arrays.copyOfRange(c0c1, 1, c0c1.length)));
        byte[] s = RtmpHandshake.serverResponse(c0c1);
        assertEquals(1 + 2 * RtmpHandshake.PACKET_SIZE, s.length);
        assertEquals(RtmpHandshake.VERSION, s[0]);
        assertArrayEquals(new byte[4], Arrays.copyOfRange(s, 5, 9), "S1 bytes 4..8 are zero");
        assertArrayEquals(Arrays.copyOfRange(c0c1, 1, c0c1.length), Arrays.copyOfRange(s, 1 + 1536, s.length), "S2 = C1");
        assertFalse(RtmpHandshake.verifyServerDigest(c0c1, s));
    }

    /** An all-zero C1, as some simple clients (and old librtmp in plain mode) send. */
    @Test
    void zeroC1IsPlain() throws Exception {
        byte[] c0c1 = new byte[RtmpHandshake.C0C1_SIZE];
        c0c1[0] = 3;
        byte[] s = RtmpHandshake.serverResponse(c0c1);
        assertArrayEquals(new byte[1536], Arrays.copyOfRange(s, 1 + 1536, s.length));
    }

    @RepeatedTest(20)
    void digestClientSchemeDigestFirstGetsVerifiableAnswer() throws Exception {
        byte[] c0c1 = RtmpHandshake.clientHello(true);
        assertEquals(RtmpHandshake.SCHEME_DIGEST_FIRST, RtmpHandshake.clientScheme(Arrays.copyOfRange(c0c1, 1, c0c1.length)));
        byte[] s = RtmpHandshake.serverResponse(c0c1);
        assertTrue(RtmpHandshake.verifyServerDigest(c0c1, s));
        assertFalse(Arrays.equals(new byte[4], Arrays.copyOfRange(s, 5, 9)), "digest S1 has a non-zero version");
    }

    @RepeatedTest(20)
    void digestClientSchemeKeyFirstGetsVerifiableAnswer() throws Exception {
        byte[] c0c1 = RtmpHandshake.clientHello(RtmpHandshake.SCHEME_KEY_FIRST);
        assertEquals(RtmpHandshake.SCHEME_KEY_FIRST, RtmpHandshake.clientScheme(Arrays.copyOfRange(c0c1, 1, c0c1.length)));
        byte[] s = RtmpHandshake.serverResponse(c0c1);
        assertTrue(RtmpHandshake.verifyServerDigest(c0c1, s));
    }

    @Test
    void tamperedAnswerDoesNotVerify() throws Exception {
        byte[] c0c1 = RtmpHandshake.clientHello(true);
        byte[] s = RtmpHandshake.serverResponse(c0c1);
        for (int at : new int[] {100, 1 + 1536 + 5, s.length - 1}) {
            byte[] t = s.clone();
            t[at] ^= 1;
            assertFalse(RtmpHandshake.verifyServerDigest(c0c1, t), "flipped byte " + at);
        }
        assertFalse(RtmpHandshake.verifyServerDigest(c0c1, Arrays.copyOf(s, 100)));
    }

    @Test
    void tamperedClientDigestFallsBackToPlain() throws Exception {
        byte[] c0c1 = RtmpHandshake.clientHello(true);
        c0c1[1 + 700] ^= 1; // C1 no longer matches its digest (whatever its offset)
        c0c1[1 + 200] ^= 1;
        byte[] s = RtmpHandshake.serverResponse(c0c1);
        assertArrayEquals(Arrays.copyOfRange(c0c1, 1, c0c1.length), Arrays.copyOfRange(s, 1 + 1536, s.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 8, 0xFF})
    void rejectsOtherC0(int c0) {
        byte[] c0c1 = RtmpHandshake.clientHello(true);
        c0c1[0] = (byte) c0;
        RtmpProtocolException e = assertThrows(RtmpProtocolException.class, () -> RtmpHandshake.serverResponse(c0c1));
        assertTrue(e.getMessage().contains("C0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1536, 1538, 3073})
    void rejectsWrongSize(int size) {
        byte[] b = new byte[size];
        if (size > 0) {
            b[0] = 3;
        }
        assertThrows(RtmpProtocolException.class, () -> RtmpHandshake.serverResponse(b));
    }

    @Test
    void rejectsNull() {
        assertThrows(RtmpProtocolException.class, () -> RtmpHandshake.serverResponse(null));
    }
}
