package io.cascade.protocol.amf0;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes AMF0 values from a byte range.
 *
 * <p>Value mapping: Number to {@link Double}; Boolean to {@link Boolean}; String, LongString
 * and XML document to {@link String} (UTF-8, malformed sequences replaced by U+FFFD);
 * Object and typed object to {@link LinkedHashMap} (a typed object's class name is read and
 * discarded); ECMA array to {@link Amf0EcmaArray}; strict array to {@link ArrayList}; Date to
 * {@link Instant} (whole milliseconds, time zone ignored); null to {@code null}; undefined and
 * unsupported to {@link Amf0Undefined#INSTANCE}; Reference to the earlier decoded instance.
 * MovieClip, RecordSet, the AMF3 switch and unknown markers are rejected.
 *
 * <p>Every failure is an {@link Amf0Exception}; after one, the reader's state is unspecified.
 * Instances are not thread-safe. One reader holds one reference table, so a message should be
 * decoded with one reader (as {@link #readAll} does).
 */
public final class Amf0Reader {

    /**
     * Nesting of objects/arrays. RTMP commands and metadata nest two or three levels; the
     * limit bounds the decoder's recursion (and any consumer's recursive walk of the result),
     * so deeply nested hostile input cannot overflow the stack.
     */
    public static final int MAX_DEPTH = 32;

    /**
     * Properties per object/ECMA array, elements per strict array. Real commands and
     * onMetaData carry a few dozen entries; this bounds per-container allocation (a strict
     * array's count is checked before its list is allocated).
     */
    public static final int MAX_ITEMS = 4096;

    /**
     * Entries in the reference table. A reference index is an unsigned 16-bit number, so
     * entries past 65536 can never be referred to; complex values beyond this count are
     * still decoded but not recorded, which keeps the table bounded whatever the input size.
     */
    public static final int MAX_REFERENCES = 1 << 16;

    /**
     * Total number of values reachable through references, summed over every reference this
     * reader resolves (a referenced object of 10 values counts 10 each time it is referred
     * to). References share instances, so a few bytes can otherwise describe an exponentially
     * large tree that any consumer walking it (toString, equals, copying, re-encoding) would
     * expand; real encoders rarely emit references at all.
     */
    public static final long MAX_REFERENCED_VALUES = 1 << 20;

    private static final int MARKER_NUMBER = 0x00;
    private static final int MARKER_BOOLEAN = 0x01;
    private static final int MARKER_STRING = 0x02;
    private static final int MARKER_OBJECT = 0x03;
    private static final int MARKER_MOVIECLIP = 0x04;
    private static final int MARKER_NULL = 0x05;
    private static final int MARKER_UNDEFINED = 0x06;
    private static final int MARKER_REFERENCE = 0x07;
    private static final int MARKER_ECMA_ARRAY = 0x08;
    private static final int MARKER_OBJECT_END = 0x09;
    private static final int MARKER_STRICT_ARRAY = 0x0A;
    private static final int MARKER_DATE = 0x0B;
    private static final int MARKER_LONG_STRING = 0x0C;
    private static final int MARKER_UNSUPPORTED = 0x0D;
    private static final int MARKER_RECORDSET = 0x0E;
    private static final int MARKER_XML_DOCUMENT = 0x0F;
    private static final int MARKER_TYPED_OBJECT = 0x10;
    private static final int MARKER_AVMPLUS = 0x11;

    /**
     * Largest magnitude of an AMF0 date in milliseconds: the ECMAScript time range
     * (+-100,000,000 days), well inside {@link Instant}'s range.
     */
    private static final double MAX_DATE_MILLIS = 8.64e15;

    /** One complex value in the reference table. */
    private static final class Ref {
        final Object value;
        /** Nesting levels the value occupies, or -1 while it is still being decoded. */
        int height = -1;
        /** Number of values in the value's tree, counting itself. */
        long weight;

        Ref(Object value) {
            this.value = value;
        }
    }

    private final byte[] data;
    private final int end;
    private int pos;
    private final List<Ref> refs = new ArrayList<>();
    private long referencedValues;

    /** Height (nesting levels) of the value most recently returned by {@link #readValue}. */
    private int lastHeight;
    /** Weight (values in its tree) of the value most recently returned by {@link #readValue}. */
    private long lastWeight;

    /**
     * @throws IndexOutOfBoundsException if offset/length do not describe a range of data
     *     (a programming error, not malformed input)
     */
    public Amf0Reader(byte[] data, int offset, int length) {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    /** Absolute index into the data array of the next byte to be read. */
    public int position() {
        return pos;
    }

    /** Reads one value. */
    public Object read() throws Amf0Exception {
        return readValue(0);
    }

    /** Reads values until the end of the range; all of them share one reference table. */
    public static List<Object> readAll(byte[] data, int offset, int length) throws Amf0Exception {
        Amf0Reader reader = new Amf0Reader(data, offset, length);
        List<Object> values = new ArrayList<>();
        while (reader.hasRemaining()) {
            values.add(reader.read());
        }
        return values;
    }

    /**
     * @param depth number of containers enclosing the value being read
     */
    private Object readValue(int depth) throws Amf0Exception {
        int at = pos;
        int marker = readU8("type marker");
        lastHeight = 0;
        lastWeight = 1;
        switch (marker) {
            case MARKER_NUMBER:
                return readDouble("number");
            case MARKER_BOOLEAN:
                return readU8("boolean") != 0;
            case MARKER_STRING:
                return readUtf8(readU16("string length"), "string");
            case MARKER_OBJECT:
                return readProperties(depth, new LinkedHashMap<>(), "object", at);
            case MARKER_MOVIECLIP:
                throw error("MovieClip marker (0x04) is reserved and not supported", at);
            case MARKER_NULL:
                return null;
            case MARKER_UNDEFINED:
            case MARKER_UNSUPPORTED:
                return Amf0Undefined.INSTANCE;
            case MARKER_REFERENCE:
                return readReference(depth, at);
            case MARKER_ECMA_ARRAY:
                // The count is only a hint (many encoders send 0): read until the end marker.
                readU32("ECMA array count");
                return readProperties(depth, new Amf0EcmaArray(), "ECMA array", at);
            case MARKER_OBJECT_END:
                throw error("object-end marker (0x09) outside an object", at);
            case MARKER_STRICT_ARRAY:
                return readStrictArray(depth, at);
            case MARKER_DATE:
                return readDate(at);
            case MARKER_LONG_STRING:
                return readUtf8(readU32("long string length"), "long string");
            case MARKER_RECORDSET:
                throw error("RecordSet marker (0x0E) is reserved and not supported", at);
            case MARKER_XML_DOCUMENT:
                return readUtf8(readU32("XML document length"), "XML document");
            case MARKER_TYPED_OBJECT:
                // The class name is read and discarded: nothing named on the wire is loaded.
                readUtf8(readU16("typed object class name length"), "typed object class name");
                return readProperties(depth, new LinkedHashMap<>(), "typed object", at);
            case MARKER_AVMPLUS:
                throw error("AVM+ switch marker (0x11): AMF3 not supported", at);
            default:
                throw error(String.format("unknown type marker 0x%02X", marker), at);
        }
    }

    private Ref enterContainer(int depth, Object container, String kind, int at)
            throws Amf0Exception {
        if (depth + 1 > MAX_DEPTH) {
            throw error(kind + " nested deeper than MAX_DEPTH=" + MAX_DEPTH, at);
        }
        Ref ref = new Ref(container);
        if (refs.size() < MAX_REFERENCES) {
            refs.add(ref);
        }
        return ref;
    }

    /** Reads key/value pairs up to and including the empty-key + object-end terminator. */
    private Map<String, Object> readProperties(
            int depth, Map<String, Object> map, String kind, int at) throws Amf0Exception {
        Ref ref = enterContainer(depth, map, kind, at);
        int height = 0;
        long weight = 1;
        int count = 0;
        while (true) {
            int keyAt = pos;
            String key = readUtf8(readU16(kind + " property name length"), kind + " property name");
            if (key.isEmpty() && peekU8(kind + " property") == MARKER_OBJECT_END) {
                pos++;
                break;
            }
            if (++count > MAX_ITEMS) {
                throw error(kind + " has more than MAX_ITEMS=" + MAX_ITEMS + " properties", keyAt);
            }
            Object value = readValue(depth + 1);
            height = Math.max(height, lastHeight);
            weight += lastWeight;
            map.put(key, value);
        }
        return finishContainer(ref, map, height, weight);
    }

    private List<Object> readStrictArray(int depth, int at) throws Amf0Exception {
        long count = readU32("strict array count");
        if (count > MAX_ITEMS) {
            throw error("strict array count " + count + " exceeds MAX_ITEMS=" + MAX_ITEMS, at);
        }
        if (count > end - pos) { // every element takes at least its one-byte marker
            throw error("strict array count " + count + " exceeds the " + (end - pos)
                    + " remaining bytes", at);
        }
        List<Object> list = new ArrayList<>((int) count);
        Ref ref = enterContainer(depth, list, "strict array", at);
        int height = 0;
        long weight = 1;
        for (int i = 0; i < count; i++) {
            list.add(readValue(depth + 1));
            height = Math.max(height, lastHeight);
            weight += lastWeight;
        }
        return finishContainer(ref, list, height, weight);
    }

    private <T> T finishContainer(Ref ref, T container, int childHeight, long weight) {
        ref.height = childHeight + 1;
        ref.weight = weight;
        lastHeight = ref.height;
        lastWeight = weight;
        return container;
    }

    private Object readReference(int depth, int at) throws Amf0Exception {
        int index = readU16("reference index");
        if (index >= refs.size()) {
            throw error("reference index " + index + " out of range (" + refs.size()
                    + " complex values so far)", at);
        }
        Ref ref = refs.get(index);
        if (ref.height < 0) {
            throw error("reference index " + index
                    + " points to a value still being decoded (circular reference)", at);
        }
        if (depth + ref.height > MAX_DEPTH) {
            throw error("reference index " + index + " would nest deeper than MAX_DEPTH="
                    + MAX_DEPTH, at);
        }
        referencedValues += ref.weight;
        if (referencedValues > MAX_REFERENCED_VALUES) {
            throw error("references expand to more than MAX_REFERENCED_VALUES="
                    + MAX_REFERENCED_VALUES + " values", at);
        }
        lastHeight = ref.height;
        lastWeight = ref.weight;
        return ref.value;
    }

    private Instant readDate(int at) throws Amf0Exception {
        double millis = readDouble("date");
        readU16("date time zone"); // reserved, ignored per spec
        if (!(Math.abs(millis) <= MAX_DATE_MILLIS)) { // also rejects NaN
            throw error("date " + millis + " ms is outside the representable range", at);
        }
        return Instant.ofEpochMilli((long) Math.floor(millis));
    }

    // --- primitive reads: every one checks the remaining bytes first ---

    private void need(long n, String what) throws Amf0Exception {
        if (n > end - pos) {
            throw error("truncated " + what + ": need " + n + " bytes, " + (end - pos)
                    + " remaining", pos);
        }
    }

    private int peekU8(String what) throws Amf0Exception {
        need(1, what);
        return data[pos] & 0xFF;
    }

    private int readU8(String what) throws Amf0Exception {
        need(1, what);
        return data[pos++] & 0xFF;
    }

    private int readU16(String what) throws Amf0Exception {
        need(2, what);
        int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    private long readU32(String what) throws Amf0Exception {
        need(4, what);
        long v = ((long) (data[pos] & 0xFF) << 24) | ((data[pos + 1] & 0xFF) << 16)
                | ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    private double readDouble(String what) throws Amf0Exception {
        need(8, what);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (data[pos + i] & 0xFF);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    /**
     * Reads a UTF-8 string body. Its length was read from the wire (16 or 32 bits) and is
     * bounded only by the remaining input, which is checked here before allocating.
     */
    private String readUtf8(long length, String what) throws Amf0Exception {
        need(length, what);
        String s = new String(data, pos, (int) length, StandardCharsets.UTF_8);
        pos += (int) length;
        return s;
    }

    private static Amf0Exception error(String what, int at) {
        return new Amf0Exception("AMF0: " + what + " at offset " + at);
    }
}
