package io.cascade.protocol.h264;

import java.util.function.BiConsumer;

/** Length-prefixed (ISO 14496-15 "AVCC"/"HVCC") NAL unit access units. */
public final class NalUnits {
    /** Real encoders emit a few NALs per access unit (AUD, SEI, parameter sets, a handful of slices); more is hostile. */
    public static final int MAX_NAL_UNITS_PER_ACCESS_UNIT = 256;
    /** An access unit arrives in one FLV/RTMP tag body, whose length is 24 bits: nothing larger can be valid. */
    public static final int MAX_ACCESS_UNIT_LENGTH = 0xFFFFFF;

    private NalUnits() {
    }

    /** Receives each NAL unit of an access unit without boxing. */
    @FunctionalInterface
    public interface NalVisitor {
        void visit(int nalOffset, int nalLength);
    }

    /**
     * Validates a length-prefixed access unit (prefix size 1, 2 or 4) and returns it with 4-byte prefixes: the slice copied
     * once (re-prefixed) when lengthSize != 4, or a copy of exactly [offset, offset+length) when it is already 4 (the caller
     * owns the result). A NAL length beyond the payload, a zero-length NAL, more than MAX_NAL_UNITS_PER_ACCESS_UNIT units, an
     * invalid lengthSize or a slice outside the array -> BitstreamException. An empty slice gives an empty array.
     */
    public static byte[] toFourByteLengths(byte[] data, int offset, int length, int lengthSize) throws BitstreamException {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new BitstreamException("slice outside array");
        }
        if (lengthSize != 1 && lengthSize != 2 && lengthSize != 4) {
            throw new BitstreamException("NAL length size must be 1, 2 or 4: " + lengthSize);
        }
        if (length > MAX_ACCESS_UNIT_LENGTH) {
            throw new BitstreamException("access unit too large: " + length);
        }
        int end = offset + length;
        int count = 0;
        int p = offset;
        while (p < end) {
            if (end - p < lengthSize) {
                throw new BitstreamException("truncated NAL length prefix");
            }
            long n = readLength(data, p, lengthSize);
            p += lengthSize;
            if (n == 0) {
                throw new BitstreamException("zero-length NAL unit");
            }
            if (n > end - p) {
                throw new BitstreamException("NAL length " + n + " beyond payload (" + (end - p) + " left)");
            }
            if (++count > MAX_NAL_UNITS_PER_ACCESS_UNIT) {
                throw new BitstreamException("more than " + MAX_NAL_UNITS_PER_ACCESS_UNIT + " NAL units in an access unit");
            }
            p += (int) n;
        }
        if (lengthSize == 4) {
            return java.util.Arrays.copyOfRange(data, offset, end);
        }
        // at most 256 * 3 extra bytes over a length <= MAX_ACCESS_UNIT_LENGTH: no overflow
        byte[] out = new byte[length + count * (4 - lengthSize)];
        int q = 0;
        p = offset;
        while (p < end) {
            int n = (int) readLength(data, p, lengthSize);
            p += lengthSize;
            out[q] = (byte) (n >>> 24);
            out[q + 1] = (byte) (n >>> 16);
            out[q + 2] = (byte) (n >>> 8);
            out[q + 3] = (byte) n;
            System.arraycopy(data, p, out, q + 4, n);
            q += 4 + n;
            p += n;
        }
        return out;
    }

    private static long readLength(byte[] d, int p, int size) {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n = n << 8 | (d[p + i] & 0xFF);
        }
        return n;
    }

    /**
     * Calls visitor(nalOffset, nalLength) for each NAL of a 4-byte-length-prefixed access unit (already validated). Stops
     * silently at the first prefix that does not fit, so it never throws on a malformed unit.
     */
    public static void visit(byte[] au, NalVisitor visitor) {
        int p = 0;
        while (au.length - p >= 4) {
            long n = readLength(au, p, 4);
            p += 4;
            if (n == 0 || n > au.length - p) {
                return;
            }
            visitor.visit(p, (int) n);
            p += (int) n;
        }
    }

    /** Boxing convenience form of {@link #visit(byte[], NalVisitor)}. */
    public static void forEach(byte[] au, BiConsumer<Integer, Integer> consumer) {
        visit(au, consumer::accept);
    }

    /**
     * Annex-B (start codes) conversion of a 4-byte-length access unit, for MPEG-TS: every 4-byte length becomes 00 00 00 01,
     * so the result has the same size. A malformed tail (prefix that does not fit) is copied unchanged.
     */
    public static byte[] toAnnexB(byte[] au) {
        byte[] out = au.clone();
        visit(au, (off, len) -> {
            out[off - 4] = 0;
            out[off - 3] = 0;
            out[off - 2] = 0;
            out[off - 1] = 1;
        });
        return out;
    }

    /** H.264 nal_unit_type (5 = IDR, 7 = SPS, 8 = PPS, 9 = AUD). */
    public static int h264Type(byte nalHeader) {
        return nalHeader & 0x1F;
    }

    /** H.265 nal_unit_type (16..21 = IRAP, 32 = VPS, 33 = SPS, 34 = PPS, 35 = AUD). */
    public static int h265Type(byte nalHeader) {
        return (nalHeader >> 1) & 0x3F;
    }
}
