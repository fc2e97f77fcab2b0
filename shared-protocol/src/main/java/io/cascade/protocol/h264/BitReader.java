package io.cascade.protocol.h264;

/**
 * MSB-first bit reader over a byte slice, with Exp-Golomb codes (H.264 / H.265 9.2) and RBSP unescaping. Every read past the
 * end throws {@link BitstreamException}.
 */
public final class BitReader {
    /** Largest ue(v) prefix we accept: 31 leading zeros already exceed every value the specs allow (all fit in 32 bits). */
    private static final int MAX_EXP_GOLOMB_LEADING_ZEROS = 31;

    private final byte[] data;
    private final int end;
    private long bitPos;

    public BitReader(byte[] data, int offset, int length) throws BitstreamException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new BitstreamException("slice outside array");
        }
        this.data = data;
        this.end = offset + length;
        this.bitPos = (long) offset * 8;
    }

    /** Reads n (0..32) bits as an unsigned value. */
    public long bits(int n) throws BitstreamException {
        if (n < 0 || n > 32) {
            throw new IllegalArgumentException("bit count " + n);
        }
        if (bitPos + n > (long) end * 8) {
            throw new BitstreamException("read past end of data");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            int b = data[(int) (bitPos >>> 3)] >> (7 - (int) (bitPos & 7)) & 1;
            v = v << 1 | b;
            bitPos++;
        }
        return v;
    }

    public int bit() throws BitstreamException {
        return (int) bits(1);
    }

    public int u(int n) throws BitstreamException {
        if (n > 31) {
            throw new IllegalArgumentException("use bits() for 32");
        }
        return (int) bits(n);
    }

    /** ue(v). */
    public int ue() throws BitstreamException {
        int zeros = 0;
        while (bit() == 0) {
            if (++zeros > MAX_EXP_GOLOMB_LEADING_ZEROS) {
                throw new BitstreamException("Exp-Golomb code too long");
            }
        }
        long v = (1L << zeros) - 1 + bits(zeros);
        if (v > Integer.MAX_VALUE) {
            throw new BitstreamException("Exp-Golomb value too large");
        }
        return (int) v;
    }

    public void skip(int n) throws BitstreamException {
        if (n < 0 || bitPos + n > (long) end * 8) {
            throw new BitstreamException("skip past end of data");
        }
        bitPos += n;
    }

    /**
     * Copies at most maxBytes of nal[offset, offset+length) with emulation prevention bytes (00 00 03) removed. Bounded by
     * maxBytes so header parsing never copies a whole NAL unit.
     */
    public static byte[] unescapeRbsp(byte[] nal, int offset, int length, int maxBytes) {
        byte[] out = new byte[Math.min(length, maxBytes)];
        int n = 0;
        int zeros = 0;
        for (int i = offset; i < offset + length && n < out.length; i++) {
            int b = nal[i] & 0xFF;
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            out[n++] = (byte) b;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
