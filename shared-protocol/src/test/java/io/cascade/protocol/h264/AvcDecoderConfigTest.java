package io.cascade.protocol.h264;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvcDecoderConfigTest {
    static Stream<AvcVectors.Config> configs() {
        return AvcVectors.CONFIGS.stream();
    }

    static Stream<byte[]> badConfigs() {
        return AvcVectors.BAD_CONFIGS.stream();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void parses(AvcVectors.Config v) throws BitstreamException {
        AvcDecoderConfig c = AvcDecoderConfig.parse(v.record(), 0, v.record().length);
        assertEquals(v.profile(), c.profileIdc());
        assertEquals(v.compat(), c.profileCompatibility());
        assertEquals(v.level(), c.levelIdc());
        assertEquals(v.nalLengthSize(), c.nalLengthSize());
        assertEquals(v.numSps(), c.sps().size());
        assertEquals(v.numPps(), c.pps().size());
        assertEquals(v.codecString(), c.codecString());
        assertEquals(7, NalUnits.h264Type(c.sps().get(0)[0]));
        assertEquals(8, NalUnits.h264Type(c.pps().get(0)[0]));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void encodeReproducesTheRecordByteForByte(AvcVectors.Config v) throws BitstreamException {
        AvcDecoderConfig c = AvcDecoderConfig.parse(v.record(), 0, v.record().length);
        assertArrayEquals(v.record(), c.encode());
        AvcDecoderConfig again = AvcDecoderConfig.parse(c.encode(), 0, c.encode().length);
        assertEquals(c.codecString(), again.codecString());
        assertArrayEquals(c.sps().get(0), again.sps().get(0));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void everyTruncationThrowsOrParses(AvcVectors.Config v) {
        for (int n = 0; n < v.record().length; n++) {
            try {
                AvcDecoderConfig.parse(v.record(), 0, n);
            } catch (BitstreamException expected) {
                // fine
            }
        }
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void rejectsMalformed(byte[] record) {
        assertThrows(BitstreamException.class, () -> AvcDecoderConfig.parse(record, 0, record.length));
    }

    @Test
    void rejectsSliceOutsideArray() {
        assertThrows(BitstreamException.class, () -> AvcDecoderConfig.parse(new byte[4], 2, 4));
    }

    @Test
    void encodesHighProfileExtensionFromTheSps() {
        byte[] sps = bytes("6764000aacd94426c044000003000400000300f03c489658");
        AvcDecoderConfig c = new AvcDecoderConfig(100, 0, 10, 4, List.of(sps), List.of(bytes("68ebe0652c8b")));
        byte[] enc = c.encode();
        assertArrayEquals(bytes("fd f8 f8 00"), java.util.Arrays.copyOfRange(enc, enc.length - 4, enc.length));
    }

    @Test
    void codecStringForMain31() {
        assertEquals("avc1.4D401F", new AvcDecoderConfig(77, 0x40, 31, 4, List.of(), List.of()).codecString());
    }
}
