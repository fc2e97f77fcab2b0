package io.cascade.protocol.mp4;

import java.util.Arrays;

/**
 * Big-endian writer for ISOBMFF boxes (ISO/IEC 14496-12 4.2). A box is opened with {@link #startBox} and closed with
 * {@link #endBox}, which fills in its 32-bit size, so nested boxes need no size arithmetic. Writers that know their exact
 * size up front pass it as the capacity and get the array back without a copy.
 */
final class BoxWriter {
    private byte[] buffer;
    private int position;

    BoxWriter(int capacity) {
        buffer = new byte[capacity];
    }

    int position() {
        return position;
    }

    /** Writes a placeholder size and the type; returns the box start to hand to {@link #endBox}. */
    int startBox(String type) {
        int start = position;
        u32(0);
        fourCc(type);
        return start;
    }

    /** A FullBox: box header, then version (8 bits) and flags (24 bits). */
    int startFullBox(String type, int version, int flags) {
        int start = startBox(type);
        u8(version);
        u24(flags);
        return start;
    }

    void endBox(int start) {
        int size = position - start;
        buffer[start] = (byte) (size >>> 24);
        buffer[start + 1] = (byte) (size >>> 16);
        buffer[start + 2] = (byte) (size >>> 8);
        buffer[start + 3] = (byte) size;
    }

    BoxWriter u8(int v) {
        ensure(1);
        buffer[position++] = (byte) v;
        return this;
    }

    BoxWriter u16(int v) {
        ensure(2);
        buffer[position++] = (byte) (v >>> 8);
        buffer[position++] = (byte) v;
        return this;
    }

    BoxWriter u24(int v) {
        ensure(3);
        buffer[position++] = (byte) (v >>> 16);
        buffer[position++] = (byte) (v >>> 8);
        buffer[position++] = (byte) v;
        return this;
    }

    /** The low 32 bits of v: also writes signed 32-bit fields (two's complement). */
    BoxWriter u32(long v) {
        ensure(4);
        buffer[position++] = (byte) (v >>> 24);
        buffer[position++] = (byte) (v >>> 16);
        buffer[position++] = (byte) (v >>> 8);
        buffer[position++] = (byte) v;
        return this;
    }

    BoxWriter u64(long v) {
        u32(v >>> 32);
        return u32(v);
    }

    BoxWriter zeros(int n) {
        ensure(n);
        position += n; // a new array is already zero and written bytes are never rewound over
        return this;
    }

    BoxWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buffer, position, b.length);
        position += b.length;
        return this;
    }

    /** A four-character code; box types and brands are ASCII by definition. */
    BoxWriter fourCc(String code) {
        if (code.length() != 4) {
            throw new IllegalArgumentException("four-character code expected: " + code);
        }
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buffer[position++] = (byte) code.charAt(i);
        }
        return this;
    }

    /** The bytes written so far: the buffer itself when it is exactly full, a copy otherwise. */
    byte[] toByteArray() {
        return position == buffer.length ? buffer : Arrays.copyOf(buffer, position);
    }

    private void ensure(int n) {
        if (n > buffer.length - position) {
            long wanted = Math.max((long) buffer.length * 2, (long) position + n);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("box output over 2 GiB");
            }
            buffer = Arrays.copyOf(buffer, (int) wanted);
        }
    }
}
