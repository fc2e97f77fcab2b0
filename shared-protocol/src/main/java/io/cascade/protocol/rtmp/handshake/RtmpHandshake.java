package io.cascade.protocol.rtmp.handshake;

import io.cascade.protocol.rtmp.RtmpProtocolException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Server side of the RTMP handshake, plain and digest ("complex", Flash Player 9+/FMLE) variants.
 *
 * <p>Packet layout (C1/S1, 1536 bytes): 4-byte time, 4-byte version (zero for a plain client), 1528 bytes. In the digest
 * variant the 1528 bytes are two 764-byte blocks, a "key" block and a "digest" block, in one of two orders:
 * <ul>
 *   <li>{@link #SCHEME_KEY_FIRST} (scheme 0): key block at 8, digest block at 772; the 32-byte digest sits at
 *       {@code 776 + (b[772] + b[773] + b[774] + b[775]) % 728};</li>
 *   <li>{@link #SCHEME_DIGEST_FIRST} (scheme 1, what Flash Player 9+ and ffmpeg send): digest block at 8; the digest sits at
 *       {@code 12 + (b[8] + b[9] + b[10] + b[11]) % 728}.</li>
 * </ul>
 * The digest is HMAC-SHA256 over the 1504 other bytes of the packet, keyed by the first 30 bytes of the Flash Player key
 * (client) or the first 36 bytes of the Flash Media Server key (server). S2's last 32 bytes are HMAC-SHA256 over its first
 * 1504 bytes, keyed by HMAC-SHA256(full 68-byte server key, C1's digest).
 *
 * <p>Stateless and thread-safe.
 */
public final class RtmpHandshake {
    public static final int VERSION = 3;
    public static final int PACKET_SIZE = 1536;          // C1, C2, S1, S2
    public static final int C0C1_SIZE = 1 + PACKET_SIZE;
    /** S0 + S1 + S2. */
    public static final int S0S1S2_SIZE = 1 + 2 * PACKET_SIZE;

    /** Key block first, digest block second (digest block at offset 772). */
    public static final int SCHEME_KEY_FIRST = 0;
    /** Digest block first (digest block at offset 8). */
    public static final int SCHEME_DIGEST_FIRST = 1;

    private static final int DIGEST_LENGTH = 32;
    private static final int BLOCK_SIZE = 764;
    /** BLOCK_SIZE - 4 offset bytes - 32 digest bytes: the number of positions the digest can take in its block. */
    private static final int DIGEST_POSITIONS = 728;

    /** The 32 bytes that follow the readable text in both well-known keys. */
    private static final byte[] KEY_TAIL = {
            (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE, (byte) 0xE8,
            (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E, (byte) 0x7E, (byte) 0x57,
            (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29, (byte) 0x80, (byte) 0x6F, (byte) 0xAB,
            (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36, (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE};
    private static final byte[] CLIENT_KEY_TEXT = "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII); // 30
    private static final byte[] SERVER_KEY_TEXT = "Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII); // 36
    private static final byte[] SERVER_KEY_FULL = concat(SERVER_KEY_TEXT, KEY_TAIL); // 68

    /** Version bytes we put in a digest S1 (a Flash Media Server 3.5-like version; any non-zero value works). */
    private static final byte[] SERVER_VERSION = {0x03, 0x05, 0x01, 0x01};
    /** Version bytes of a digest C1 built by {@link #clientHello} (a Flash Player 9-like version). */
    private static final byte[] CLIENT_VERSION = {(byte) 0x80, 0x00, 0x07, 0x02};

    private RtmpHandshake() {
    }

    /**
     * Given exactly C0+C1 (1537 bytes), returns S0+S1+S2 (3073 bytes). C0 must be 3. If C1 carries a valid digest (either
     * scheme) the answer is a digest S1/S2; otherwise plain: S1 = time + zeros + random, S2 = echo of C1.
     */
    public static byte[] serverResponse(byte[] c0c1) throws RtmpProtocolException {
        if (c0c1 == null || c0c1.length != C0C1_SIZE) {
            throw new RtmpProtocolException("handshake: C0+C1 must be " + C0C1_SIZE + " bytes, got "
                    + (c0c1 == null ? "null" : c0c1.length));
        }
        int c0 = c0c1[0] & 0xFF;
        if (c0 != VERSION) {
            throw new RtmpProtocolException("handshake: C0 version " + c0 + " at offset 0, only " + VERSION + " is supported");
        }
        byte[] c1 = Arrays.copyOfRange(c0c1, 1, C0C1_SIZE);
        byte[] out = new byte[S0S1S2_SIZE];
        out[0] = VERSION;
        int scheme = clientScheme(c1);
        if (scheme < 0) {
            // Plain handshake: S1 = time, zero, random; S2 = C1 echoed.
            writeInt(out, 1, uptimeMillis());
            randomFill(out, 1 + 8, PACKET_SIZE - 8);
            System.arraycopy(c1, 0, out, 1 + PACKET_SIZE, PACKET_SIZE);
            return out;
        }
        byte[] s1 = signedPacket(SERVER_VERSION, scheme, SERVER_KEY_TEXT);
        System.arraycopy(s1, 0, out, 1, PACKET_SIZE);
        byte[] clientDigest = Arrays.copyOfRange(c1, digestOffset(c1, scheme), digestOffset(c1, scheme) + DIGEST_LENGTH);
        byte[] s2 = new byte[PACKET_SIZE];
        randomFill(s2, 0, PACKET_SIZE);
        byte[] s2Sig = s2Signature(clientDigest, s2);
        System.arraycopy(s2Sig, 0, s2, PACKET_SIZE - DIGEST_LENGTH, DIGEST_LENGTH);
        System.arraycopy(s2, 0, out, 1 + PACKET_SIZE, PACKET_SIZE);
        return out;
    }

    /** For tests and tools: a client C0+C1, plain (digest=false) or with a valid scheme-1 (digest-first) client digest. */
    public static byte[] clientHello(boolean digest) {
        return clientHello(digest ? SCHEME_DIGEST_FIRST : -1);
    }

    /** For tests and tools: a client C0+C1 with a valid digest in the given scheme, or plain when scheme is negative. */
    public static byte[] clientHello(int scheme) {
        byte[] out = new byte[C0C1_SIZE];
        out[0] = VERSION;
        byte[] c1;
        if (scheme < 0) {
            c1 = new byte[PACKET_SIZE];
            writeInt(c1, 0, uptimeMillis());
            randomFill(c1, 8, PACKET_SIZE - 8);
        } else {
            checkScheme(scheme);
            c1 = signedPacket(CLIENT_VERSION, scheme, CLIENT_KEY_TEXT);
        }
        System.arraycopy(c1, 0, out, 1, PACKET_SIZE);
        return out;
    }

    /** For tests: true when s0s1s2 is a valid digest-handshake answer to the given c0c1 (verifies the S1 digest and S2). */
    public static boolean verifyServerDigest(byte[] c0c1, byte[] s0s1s2) {
        if (c0c1 == null || s0s1s2 == null || c0c1.length != C0C1_SIZE || s0s1s2.length != S0S1S2_SIZE
                || s0s1s2[0] != VERSION) {
            return false;
        }
        byte[] c1 = Arrays.copyOfRange(c0c1, 1, C0C1_SIZE);
        int scheme = clientScheme(c1);
        if (scheme < 0) {
            return false;
        }
        byte[] s1 = Arrays.copyOfRange(s0s1s2, 1, 1 + PACKET_SIZE);
        if (!hasValidDigest(s1, scheme, SERVER_KEY_TEXT)) {
            return false;
        }
        int c1DigestAt = digestOffset(c1, scheme);
        byte[] clientDigest = Arrays.copyOfRange(c1, c1DigestAt, c1DigestAt + DIGEST_LENGTH);
        byte[] s2 = Arrays.copyOfRange(s0s1s2, 1 + PACKET_SIZE, S0S1S2_SIZE);
        byte[] expected = s2Signature(clientDigest, s2);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(s2, PACKET_SIZE - DIGEST_LENGTH, PACKET_SIZE));
    }

    /** The digest scheme C1 was signed with, or -1 for a plain (or unrecognised) C1. */
    public static int clientScheme(byte[] c1) {
        if (c1 == null || c1.length != PACKET_SIZE) {
            return -1;
        }
        if (hasValidDigest(c1, SCHEME_DIGEST_FIRST, CLIENT_KEY_TEXT)) {
            return SCHEME_DIGEST_FIRST;
        }
        if (hasValidDigest(c1, SCHEME_KEY_FIRST, CLIENT_KEY_TEXT)) {
            return SCHEME_KEY_FIRST;
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------------------------

    static int digestOffset(byte[] packet, int scheme) {
        int block = scheme == SCHEME_DIGEST_FIRST ? 8 : 8 + BLOCK_SIZE;
        int sum = (packet[block] & 0xFF) + (packet[block + 1] & 0xFF) + (packet[block + 2] & 0xFF) + (packet[block + 3] & 0xFF);
        return block + 4 + sum % DIGEST_POSITIONS;
    }

    private static boolean hasValidDigest(byte[] packet, int scheme, byte[] key) {
        int at = digestOffset(packet, scheme);
        byte[] expected = packetDigest(packet, at, key);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(packet, at, at + DIGEST_LENGTH));
    }

    /** A random 1536-byte packet with time, version and a digest in the given scheme. */
    private static byte[] signedPacket(byte[] version, int scheme, byte[] key) {
        byte[] p = new byte[PACKET_SIZE];
        randomFill(p, 8, PACKET_SIZE - 8);
        writeInt(p, 0, uptimeMillis());
        System.arraycopy(version, 0, p, 4, 4);
        int at = digestOffset(p, scheme);
        System.arraycopy(packetDigest(p, at, key), 0, p, at, DIGEST_LENGTH);
        return p;
    }

    /** For tests: writes a valid client digest of the scheme into a C1 (1536 bytes), whatever else it holds. */
    static void signClient(byte[] c1, int scheme) {
        checkScheme(scheme);
        int at = digestOffset(c1, scheme);
        System.arraycopy(packetDigest(c1, at, CLIENT_KEY_TEXT), 0, c1, at, DIGEST_LENGTH);
    }

    /** HMAC-SHA256 over the packet without its 32 digest bytes at {@code at}. */
    private static byte[] packetDigest(byte[] packet, int at, byte[] key) {
        return HmacSha256.of(key, packet, 0, at, packet, at + DIGEST_LENGTH, PACKET_SIZE - at - DIGEST_LENGTH);
    }

    private static byte[] s2Signature(byte[] clientDigest, byte[] s2) {
        byte[] key = HmacSha256.of(SERVER_KEY_FULL, clientDigest, 0, clientDigest.length, s2, 0, 0);
        return HmacSha256.of(key, s2, 0, PACKET_SIZE - DIGEST_LENGTH, s2, 0, 0);
    }

    private static void checkScheme(int scheme) {
        if (scheme != SCHEME_KEY_FIRST && scheme != SCHEME_DIGEST_FIRST) {
            throw new IllegalArgumentException("unknown digest scheme " + scheme);
        }
    }

    /** The handshake random is filler, not key material (no RTMPE here), so a fast non-blocking PRNG is enough. */
    private static void randomFill(byte[] b, int off, int len) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = off, end = off + len; i < end; ) {
            long v = r.nextLong();
            for (int k = 0; k < 8 && i < end; k++, v >>>= 8) {
                b[i++] = (byte) v;
            }
        }
    }

    private static int uptimeMillis() {
        return (int) (System.nanoTime() / 1_000_000L);
    }

    private static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
