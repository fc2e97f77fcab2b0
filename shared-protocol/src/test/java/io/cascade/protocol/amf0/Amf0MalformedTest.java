package io.cascade.protocol.amf0;

import static io.cascade.protocol.amf0.Amf0Assertions.assertAmfEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Amf0MalformedTest {

    static Stream<Amf0Vectors.Malformed> malformed() {
        return Amf0Vectors.MALFORMED.stream();
    }

    static Stream<Amf0Vectors.Vector> vectors() {
        return Amf0Vectors.VALID.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectedWithTypedException(Amf0Vectors.Malformed m) {
        Amf0Exception e = assertThrows(Amf0Exception.class,
                () -> Amf0Reader.readAll(m.bytes(), 0, m.bytes().length), m.name());
        assertTrue(e.getMessage().contains(m.messagePart()),
                m.name() + ": message '" + e.getMessage() + "' lacks '" + m.messagePart() + "'");
        assertTrue(e.getMessage().contains("at offset "), "message says where: " + e.getMessage());
    }

    /**
     * Every strict prefix of every vector either throws Amf0Exception or decodes cleanly to
     * fewer values, which are exactly the leading values of the full vector.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyTruncationIsRejectedOrAShorterPrefix(Amf0Vectors.Vector v) {
        byte[] full = v.bytes();
        // The 64 KiB long-string vector: test all cuts near the header and the end only.
        int[] cuts = full.length > 1024
                ? IntStream.concat(IntStream.range(0, 64), IntStream.range(full.length - 64, full.length)).toArray()
                : IntStream.range(0, full.length).toArray();
        for (int cut : cuts) {
            byte[] prefix = Arrays.copyOf(full, cut);
            List<Object> decoded;
            try {
                decoded = Amf0Reader.readAll(prefix, 0, prefix.length);
            } catch (Amf0Exception expected) {
                continue;
            }
            assertTrue(decoded.size() < v.values().size(),
                    v.name() + " cut at " + cut + " decoded as many values as the full input");
            assertAmfEquals(v.values().subList(0, decoded.size()), decoded, v.name() + " cut at " + cut);
        }
    }

    /** The same truncations, read through a window of a larger array: never reads past it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void truncationInsideLargerArrayDoesNotReadPastTheWindow(Amf0Vectors.Vector v) {
        byte[] full = v.bytes();
        for (int cut = 0; cut < Math.min(full.length, 256); cut++) {
            int window = cut;
            Amf0Reader r = new Amf0Reader(full, 0, window);
            try {
                while (r.hasRemaining()) {
                    r.read();
                }
            } catch (Amf0Exception expected) {
                // fine
            }
            assertTrue(r.position() <= window, v.name() + " cut " + cut + " read past the window");
        }
    }

    @Test
    void unknownAndReservedMarkers() throws Amf0Exception {
        for (int marker = 0x0D; marker <= 0xFF; marker++) {
            byte[] b = {(byte) marker};
            if (marker == 0x0D) { // 'unsupported' decodes to undefined
                assertEquals(List.of(Amf0Undefined.INSTANCE), Amf0Reader.readAll(b, 0, 1));
                continue;
            }
            // 0x0F/0x10 are valid types but truncated here; all others are refused outright.
            assertThrows(Amf0Exception.class, () -> Amf0Reader.readAll(b, 0, 1),
                    String.format("marker 0x%02X", marker));
            byte[] padded = Amf0Vectors.concat(b, new byte[16]);
            if (marker != 0x0F && marker != 0x10) {
                Amf0Exception e = assertThrows(Amf0Exception.class,
                        () -> Amf0Reader.readAll(padded, 0, padded.length));
                assertTrue(e.getMessage().contains(String.format("0x%02X", marker))
                                || e.getMessage().contains("AMF3"),
                        e.getMessage());
            }
        }
    }

    @Test
    void errorsReportAbsoluteOffsets() {
        byte[] b = Amf0Vectors.concat(new byte[] {1, 2, 3}, Amf0Vectors.hex("05 12"));
        Amf0Exception e = assertThrows(Amf0Exception.class, () -> Amf0Reader.readAll(b, 3, 2));
        assertTrue(e.getMessage().endsWith("at offset 4"), e.getMessage());
    }
}
