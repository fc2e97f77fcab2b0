package io.cascade.protocol.h264;

import java.io.ByteArrayOutputStream;

/** Test helper: writes u(n), ue(v) and se(v) MSB first, then the RBSP as a NAL unit with emulation prevention bytes. */
public final class SpsBitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int current;
    private int bitCount;

    public SpsBitWriter u(int n, long value) {
        for (int i = n - 1; i >= 0; i--) {
            current = current << 1 | (int) (value >>> i & 1);
            if (++bitCount == 8) {
                out.write(current);
                current = 0;
                bitCount = 0;
            }
        }
        return this;
    }

    public SpsBitWriter ue(long value) {
        long codeNum = value + 1;
        int bits = 64 - Long.numberOfLeadingZeros(codeNum);
        u(bits - 1, 0);
        return u(bits, codeNum);
    }

    public SpsBitWriter se(long value) {
        return ue(value > 0 ? 2 * value - 1 : -2 * value);
    }

    /** rbsp_trailing_bits, then 00 00 0x (x &lt;= 3) escaped to 00 00 03 0x. */
    public byte[] toNal() {
        u(1, 1);
        while (bitCount != 0) {
            u(1, 0);
        }
        byte[] rbsp = out.toByteArray();
        ByteArrayOutputStream nal = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte b : rbsp) {
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                nal.write(3);
                zeros = 0;
            }
            nal.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return nal.toByteArray();
    }
}
