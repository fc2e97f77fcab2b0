package io.cascade.packaging;

import io.cascade.settings.Setting;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * AES-128 keys of encrypted HLS, the EMS way ({@code drmType=ems aesKeyCount=N}): each stream has {@code N} keys
 * and segment {@code i} is encrypted with key {@code i mod N}. Keys are derived (HMAC-SHA256 of the cluster's
 * secret, the stream name and the key number), never stored: every node of the cluster computes the same keys, so a
 * viewer moving between edges keeps decrypting.
 */
public final class SegmentKeys {
    /** EMS's default key count. */
    public static final int DEFAULT_KEY_COUNT = 5;
    /** Segment n uses key n mod count: at least one key. */
    public static final int MIN_KEY_COUNT = 1;
    /** Every key of a stream is derivable by any viewer's player; more rotation than this buys no secrecy. */
    public static final int MAX_KEY_COUNT = 1000;
    public static final int KEY_BYTES = 16;
    /** As many bytes as the AES-128 key derived from it: a shorter secret would be the weak link. */
    public static final int MIN_SECRET_BYTES = KEY_BYTES;
    public static final Setting<Integer> KEY_COUNT = Setting.integer("hls.aes.key.count", DEFAULT_KEY_COUNT, MIN_KEY_COUNT,
            MAX_KEY_COUNT, "AES-128 keys per stream for `/<stream>/aes/` (segment n uses key n mod count)");
    public static final Setting<String> SECRET = Setting.of("hls.aes.secret", "",
            "empty or at least " + MIN_SECRET_BYTES + " bytes", text -> {
                if (!text.isEmpty() && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                    throw new IllegalArgumentException("too short");
                }
                return text;
            }, "what AES keys are derived from; empty: the cluster makes one up once and shares it");

    private final byte[] secret;
    private final int keyCount;

    public SegmentKeys(byte[] secret, int keyCount) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the key secret needs at least " + MIN_SECRET_BYTES + " bytes, not "
                    + secret.length);
        }
        if (keyCount < MIN_KEY_COUNT || keyCount > MAX_KEY_COUNT) {
            throw new IllegalArgumentException("AES key count must be " + MIN_KEY_COUNT + ".." + MAX_KEY_COUNT + ", not " + keyCount);
        }
        this.secret = secret.clone();
        this.keyCount = keyCount;
    }

    /** The key number segment {@code index} is encrypted with. */
    public int keyNumber(long index) {
        return (int) Math.floorMod(index, (long) keyCount);
    }

    public int keyCount() {
        return keyCount;
    }

    public byte[] key(String stream, int number) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = mac.doFinal((stream + '/' + number).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, KEY_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }

    /** AES-128-CBC with PKCS7 padding; the IV is the media sequence number, big-endian (RFC 8216 5.2). */
    public byte[] encrypt(String stream, long index, byte[] clear) {
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            byte[] iv = ByteBuffer.allocate(16).putLong(8, index).array();
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(stream, keyNumber(index)), "AES"),
                    new IvParameterSpec(iv));
            return cipher.doFinal(clear);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-CBC missing from the JDK", e);
        }
    }
}
