package io.cascade.protocol.amf0;

import static io.cascade.protocol.amf0.Amf0Assertions.assertAmfEquals;
import static io.cascade.protocol.amf0.Amf0Vectors.hex;
import static io.cascade.protocol.amf0.Amf0Vectors.list;
import static io.cascade.protocol.amf0.Amf0Vectors.obj;
import static io.cascade.protocol.amf0.Amf0Vectors.toHex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class Amf0CodecTest {

    static Stream<Amf0Vectors.Vector> vectors() {
        return Amf0Vectors.VALID.stream();
    }

    static Stream<Amf0Vectors.Vector> canonicalVectors() {
        return Amf0Vectors.VALID.stream().filter(Amf0Vectors.Vector::canonical);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesToExpectedValues(Amf0Vectors.Vector v) throws Amf0Exception {
        List<Object> decoded = Amf0Reader.readAll(v.bytes(), 0, v.bytes().length);
        assertAmfEquals(v.values(), decoded, v.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void readOneAtATimeTracksPosition(Amf0Vectors.Vector v) throws Amf0Exception {
        // Embed the vector between junk so offsets are absolute and nothing past the range is read.
        byte[] framed = Amf0Vectors.concat(hex("ff ff ff"), v.bytes(), hex("11 04 ff"));
        Amf0Reader reader = new Amf0Reader(framed, 3, v.bytes().length);
        assertEquals(3, reader.position());
        List<Object> decoded = new ArrayList<>();
        while (reader.hasRemaining()) {
            decoded.add(reader.read());
        }
        assertEquals(3 + v.bytes().length, reader.position());
        assertAmfEquals(v.values(), decoded, v.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalVectors")
    void encodesToExactBytes(Amf0Vectors.Vector v) {
        byte[] encoded = Amf0Writer.encode(v.values().toArray());
        assertEquals(toHex(v.bytes()), toHex(encoded), v.name());
        Amf0Writer w = new Amf0Writer();
        for (Object value : v.values()) {
            assertSame(w, w.write(value));
        }
        assertArrayEquals(v.bytes(), w.toByteArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void roundTrips(Amf0Vectors.Vector v) throws Amf0Exception {
        byte[] encoded = Amf0Writer.encode(v.values().toArray());
        assertAmfEquals(v.values(), Amf0Reader.readAll(encoded, 0, encoded.length), v.name());
        // Canonical form is a fixed point: decode(encode(x)) re-encodes identically.
        List<Object> again = Amf0Reader.readAll(encoded, 0, encoded.length);
        assertArrayEquals(encoded, Amf0Writer.encode(again.toArray()));
    }

    @Test
    void referenceResolvesToTheSameInstance() throws Amf0Exception {
        byte[] b = vector("reference-in-array").bytes();
        List<?> array = (List<?>) Amf0Reader.readAll(b, 0, b.length).get(0);
        assertSame(array.get(0), array.get(1));
    }

    @Test
    void typedObjectDecodesAsPlainMapWithoutLoadingTheClass() throws Amf0Exception {
        byte[] b = vector("typed-object-runtime").bytes();
        Object value = Amf0Reader.readAll(b, 0, b.length).get(0);
        assertInstanceOf(Map.class, value);
        assertEquals(java.util.LinkedHashMap.class, value.getClass());
    }

    @Test
    void depthExactlyMaxDepthIsAccepted() throws Amf0Exception {
        Object value = "leaf";
        for (int i = 0; i < Amf0Reader.MAX_DEPTH; i++) {
            value = obj("a", value);
        }
        byte[] b = Amf0Writer.encode(value);
        assertAmfEquals(value, Amf0Reader.readAll(b, 0, b.length).get(0), "deep");
    }

    @Test
    void maxItemsIsAccepted() throws Amf0Exception {
        List<Object> big = new ArrayList<>();
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < Amf0Reader.MAX_ITEMS; i++) {
            big.add((double) i);
            map.put("k" + i, (double) i);
        }
        byte[] b = Amf0Writer.encode(big, map);
        List<Object> decoded = Amf0Reader.readAll(b, 0, b.length);
        assertAmfEquals(List.<Object>of(big, map), decoded, "max items");
    }

    @Test
    void encodesJavaNumberTypesAsDouble() throws Amf0Exception {
        byte[] b = Amf0Writer.encode(1, 2L, 3.5f, (short) 4, (byte) 5, new BigDecimal("6.25"));
        assertEquals(List.of(1.0, 2.0, 3.5, 4.0, 5.0, 6.25), Amf0Reader.readAll(b, 0, b.length));
        assertEquals("003ff0000000000000", toHex(Amf0Writer.encode(1)));
    }

    @Test
    void encodesAnyMapAsObjectAndAnyListAsStrictArray() throws Amf0Exception {
        Map<String, Object> hash = new HashMap<>();
        hash.put("a", 1);
        assertEquals("03" + "000161" + "003ff0000000000000" + "000009",
                toHex(Amf0Writer.encode(hash)));
        assertEquals("0a00000001" + "0101", toHex(Amf0Writer.encode(List.of(true))));
    }

    @Test
    void longStringThresholdIsOnUtf8Length() throws Amf0Exception {
        String fits = "a".repeat(65535);
        assertEquals(0x02, Amf0Writer.encode(fits)[0]);
        // 32768 two-byte characters = 65536 UTF-8 bytes, although only 32768 chars.
        String multiByte = "\u00e9".repeat(32768);
        byte[] b = Amf0Writer.encode(multiByte);
        assertEquals(0x0C, b[0]);
        assertEquals(multiByte, Amf0Reader.readAll(b, 0, b.length).get(0));
    }

    @Test
    void dateTruncatesToWholeMillis() throws Amf0Exception {
        byte[] b = hex("0b 4278bcfe56800080 0000"); // slightly more than 1700000000000 ms
        Instant decoded = (Instant) Amf0Reader.readAll(b, 0, b.length).get(0);
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), decoded);
        byte[] negative = Amf0Writer.encode(Instant.ofEpochMilli(-1));
        assertEquals(Instant.ofEpochMilli(-1), Amf0Reader.readAll(negative, 0, negative.length).get(0));
    }

    @Test
    void writerRejectsProgrammingErrors() {
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode('c'));
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(Instant.MAX));
        Map<Object, Object> badKey = new HashMap<>();
        badKey.put(1, 2);
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(badKey));
        assertThrows(IllegalArgumentException.class,
                () -> Amf0Writer.encode(obj("a".repeat(65536), 1)));
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(cyclic));
        Object tooDeep = 1.0;
        for (int i = 0; i <= Amf0Reader.MAX_DEPTH; i++) {
            tooDeep = list(tooDeep);
        }
        Object finalTooDeep = tooDeep;
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(finalTooDeep));
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i <= Amf0Reader.MAX_ITEMS; i++) {
            tooMany.add(null);
        }
        assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(tooMany));
    }

    @Test
    void emptyInput() throws Amf0Exception {
        assertTrue(Amf0Reader.readAll(new byte[0], 0, 0).isEmpty());
        Amf0Reader r = new Amf0Reader(new byte[4], 4, 0);
        assertFalse(r.hasRemaining());
        assertThrows(Amf0Exception.class, r::read);
        assertThrows(IndexOutOfBoundsException.class, () -> new Amf0Reader(new byte[4], 3, 2));
    }

    static Amf0Vectors.Vector vector(String name) {
        return Amf0Vectors.VALID.stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow();
    }
}
