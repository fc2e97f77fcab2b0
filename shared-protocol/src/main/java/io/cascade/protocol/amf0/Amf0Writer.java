package io.cascade.protocol.amf0;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes Java values as AMF0 into a growable buffer.
 *
 * <p>Mapping: any {@link Number} to Number (as double); {@link Boolean}; {@link String} to
 * String, or LongString when its UTF-8 form exceeds 65535 bytes; {@code null} to Null;
 * {@link Amf0Undefined} to Undefined; {@link Amf0EcmaArray} to ECMA array (count = size);
 * any other {@link Map} with String keys to Object; {@link List} to strict array;
 * {@link Instant} to Date (whole milliseconds, time zone 0). References and typed objects
 * are never written.
 *
 * <p>Anything else, non-String map keys, nesting beyond {@link Amf0Reader#MAX_DEPTH}
 * (including cyclic structures) or containers larger than {@link Amf0Reader#MAX_ITEMS}
 * throw {@link IllegalArgumentException}: those are programming errors, and refusing them
 * keeps every output decodable by {@link Amf0Reader}. After such an exception the buffer
 * holds a partial value. Instances are not thread-safe.
 */
public final class Amf0Writer {

    /** Largest UTF-8 length of a String (0x02) body: its length field is 16 bits. */
    private static final int MAX_SHORT_STRING_BYTES = 0xFFFF;

    /**
     * Largest buffer this writer grows to: the biggest Java array size that is safe on
     * common VMs. Real messages are far smaller (RTMP caps a message at 16 MiB).
     */
    private static final int MAX_BUFFER_BYTES = Integer.MAX_VALUE - 8;

    private byte[] buf = new byte[256];
    private int size;

    public Amf0Writer() {
    }

    /** Appends one value; returns this. */
    public Amf0Writer write(Object value) {
        writeValue(value, 0);
        return this;
    }

    /** A copy of the bytes written so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Encodes the values one after another. */
    public static byte[] encode(Object... values) {
        Amf0Writer w = new Amf0Writer();
        for (Object v : values) {
            w.write(v);
        }
        return w.toByteArray();
    }

    /**
     * @param depth number of containers enclosing the value being written
     */
    private void writeValue(Object value, int depth) {
        if (value == null) {
            u8(0x05);
        } else if (value instanceof Number) {
            u8(0x00);
            f64(((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
            u8(0x01);
            u8((Boolean) value ? 1 : 0);
        } else if (value instanceof String) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            if (utf8.length > MAX_SHORT_STRING_BYTES) {
                u8(0x0C);
                u32(utf8.length);
            } else {
                u8(0x02);
                u16(utf8.length);
            }
            bytes(utf8);
        } else if (value instanceof Amf0Undefined) {
            u8(0x06);
        } else if (value instanceof Instant) {
            long millis;
            try {
                millis = ((Instant) value).toEpochMilli();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("AMF0: Instant out of range: " + value, e);
            }
            u8(0x0B);
            f64(millis);
            u16(0);
        } else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            checkContainer(map.size(), depth, "map");
            if (value instanceof Amf0EcmaArray) {
                u8(0x08);
                u32(map.size());
            } else {
                u8(0x03);
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException("AMF0: map key is not a String: "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                byte[] key = ((String) e.getKey()).getBytes(StandardCharsets.UTF_8);
                if (key.length > MAX_SHORT_STRING_BYTES) {
                    throw new IllegalArgumentException(
                            "AMF0: property name longer than 65535 UTF-8 bytes");
                }
                u16(key.length);
                bytes(key);
                writeValue(e.getValue(), depth + 1);
            }
            u16(0);
            u8(0x09);
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            checkContainer(list.size(), depth, "list");
            u8(0x0A);
            u32(list.size());
            for (Object element : list) {
                writeValue(element, depth + 1);
            }
        } else {
            throw new IllegalArgumentException(
                    "AMF0: unsupported type " + value.getClass().getName());
        }
    }

    private static void checkContainer(int items, int depth, String kind) {
        if (depth + 1 > Amf0Reader.MAX_DEPTH) {
            throw new IllegalArgumentException("AMF0: " + kind + " nested deeper than MAX_DEPTH="
                    + Amf0Reader.MAX_DEPTH + " (or cyclic)");
        }
        if (items > Amf0Reader.MAX_ITEMS) {
            throw new IllegalArgumentException("AMF0: " + kind + " has " + items
                    + " items, more than MAX_ITEMS=" + Amf0Reader.MAX_ITEMS);
        }
    }

    private void ensure(int n) {
        if (n > MAX_BUFFER_BYTES - size) {
            throw new IllegalArgumentException("AMF0: output larger than " + MAX_BUFFER_BYTES);
        }
        if (size + n > buf.length) {
            long grown = Math.max((long) buf.length * 2, (long) size + n);
            buf = Arrays.copyOf(buf, (int) Math.min(grown, MAX_BUFFER_BYTES));
        }
    }

    private void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    private void u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    private void u32(long v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    private void f64(double d) {
        long bits = Double.doubleToLongBits(d);
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (bits >>> shift);
        }
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }
}
