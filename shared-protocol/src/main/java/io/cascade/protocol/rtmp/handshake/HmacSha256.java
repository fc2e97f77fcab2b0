package io.cascade.protocol.rtmp.handshake;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) on {@link MessageDigest}: the digest handshake's only cryptography, written out so the
 * codec needs nothing beyond java.* (javax.crypto's Mac would do the same).
 */
final class HmacSha256 {
    /** SHA-256 works on 64-byte blocks; a longer key is hashed first. */
    private static final int BLOCK_BYTES = 64;
    private static final byte INNER_PAD = 0x36;
    private static final byte OUTER_PAD = 0x5c;

    private HmacSha256() {
    }

    /** The HMAC of the two byte ranges one after the other (the second may be empty). */
    static byte[] of(byte[] key, byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
        MessageDigest sha = sha256();
        byte[] block = new byte[BLOCK_BYTES];
        byte[] k = key.length > BLOCK_BYTES ? sha.digest(key) : key;
        System.arraycopy(k, 0, block, 0, k.length);
        byte[] pad = new byte[BLOCK_BYTES];
        for (int i = 0; i < BLOCK_BYTES; i++) {
            pad[i] = (byte) (block[i] ^ INNER_PAD);
        }
        sha.update(pad);
        sha.update(a, aOffset, aLength);
        sha.update(b, bOffset, bLength);
        byte[] inner = sha.digest();
        for (int i = 0; i < BLOCK_BYTES; i++) {
            pad[i] = (byte) (block[i] ^ OUTER_PAD);
        }
        sha.update(pad);
        return sha.digest(inner);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java SE platform", e);
        }
    }
}
