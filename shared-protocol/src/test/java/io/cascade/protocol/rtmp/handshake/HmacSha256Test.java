package io.cascade.protocol.rtmp.handshake;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HmacSha256Test {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
    @Test
    void rfc4231Vectors() {
        byte[] key1 = new byte[20];
        java.util.Arrays.fill(key1, (byte) 0x0b);
        byte[] hi = ascii("Hi There");
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                HexFormat.of().formatHex(HmacSha256.of(key1, hi, 0, hi.length, hi, 0, 0)));
        byte[] jefe = ascii("Jefe");
        byte[] what = ascii("what do ya want for nothing?");
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HexFormat.of().formatHex(HmacSha256.of(jefe, what, 0, 10, what, 10, what.length - 10)));
        byte[] key6 = new byte[131];
        java.util.Arrays.fill(key6, (byte) 0xaa);
        byte[] msg6 = ascii("Test Using Larger Than Block-Size Key - Hash Key First");
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                HexFormat.of().formatHex(HmacSha256.of(key6, msg6, 0, msg6.length, msg6, 0, 0)));
    }

    @Test
    void agreesWithTheJdksMacOnHandshakeSizedInput() throws Exception {
        Random random = new Random(7);
        for (int keyLength : new int[] {30, 32, 36, 62, 64, 68}) {
            byte[] key = new byte[keyLength];
            byte[] packet = new byte[RtmpHandshake.PACKET_SIZE];
            random.nextBytes(key);
            random.nextBytes(packet);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(packet, 0, 700);
            mac.update(packet, 732, packet.length - 732);
            assertArrayEquals(mac.doFinal(), HmacSha256.of(key, packet, 0, 700, packet, 732, packet.length - 732));
        }
    }
}
