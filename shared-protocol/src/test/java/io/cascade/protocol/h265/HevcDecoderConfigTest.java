package io.cascade.protocol.h265;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.flv.FlvVectors;
import io.cascade.protocol.h264.NalUnits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HevcDecoderConfigTest {
    static Stream<HevcVectors.Config> configs() {
        return HevcVectors.CONFIGS.stream();
    }

    static Stream<byte[]> bad() {
        return HevcVectors.BAD_CONFIGS.stream();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void parses(HevcVectors.Config v) throws BitstreamException {
        HevcDecoderConfig c = HevcDecoderConfig.parse(v.record(), 0, v.record().length);
        assertEquals(v.profile(), c.generalProfileIdc());
        assertEquals(v.level(), c.generalLevelIdc());
        assertEquals(v.nalLengthSize(), c.nalLengthSize());
        assertEquals(v.numVps(), c.vps().size());
        assertEquals(v.numSps(), c.sps().size());
        assertEquals(v.numPps(), c.pps().size());
        assertEquals(v.codecString(), c.codecString());
        c.vps().forEach(n -> assertEquals(32, NalUnits.h265Type(n[0])));
        c.sps().forEach(n -> assertEquals(33, NalUnits.h265Type(n[0])));
        c.pps().forEach(n -> assertEquals(34, NalUnits.h265Type(n[0])));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void everyTruncationThrowsOrParses(HevcVectors.Config v) {
        for (int n = 0; n < v.record().length; n++) {
            try {
                HevcDecoderConfig.parse(v.record(), 0, n);
            } catch (BitstreamException expected) {
                // fine
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsMalformed(byte[] record) {
        assertThrows(BitstreamException.class, () -> HevcDecoderConfig.parse(record, 0, record.length));
    }

    /** libx265's record as ffmpeg wrote it in an MP4: building it again from its own parameter sets gives the same bytes. */
    @Test
    void recordBuiltFromInBandParameterSetsIsTheEncodersRecord() throws BitstreamException {
        byte[] x265 = bytes(FlvVectors.HEVC_64_RECORD);
        HevcDecoderConfig parsed = HevcDecoderConfig.parse(x265, 0, x265.length);
        HevcDecoderConfig built = HevcDecoderConfig.fromParameterSets(parsed.vps(), parsed.sps(), parsed.pps());
        assertEquals(1, built.generalProfileIdc());
        assertEquals(30, built.generalLevelIdc());
        assertEquals(4, built.nalLengthSize());
        assertArrayEquals(x265, built.encode());
        assertArrayEquals(x265, parsed.encode());
        assertEquals(parsed.codecString(), built.codecString());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void encodeParsesBackToTheSameRecord(HevcVectors.Config v) throws BitstreamException {
        HevcDecoderConfig c = HevcDecoderConfig.parse(v.record(), 0, v.record().length);
        byte[] again = c.encode();
        HevcDecoderConfig back = HevcDecoderConfig.parse(again, 0, again.length);
        assertEquals(c.generalProfileIdc(), back.generalProfileIdc());
        assertEquals(c.generalLevelIdc(), back.generalLevelIdc());
        assertEquals(c.nalLengthSize(), back.nalLengthSize());
        assertEquals(c.codecString(), back.codecString());
        assertEquals(c.vps().size(), back.vps().size());
        assertEquals(c.sps().size(), back.sps().size());
        assertEquals(c.pps().size(), back.pps().size());
    }

    @Test
    void fromParameterSetsRejectsWhatCannotBeARecord() throws BitstreamException {
        byte[] x265 = bytes(FlvVectors.HEVC_64_RECORD);
        HevcDecoderConfig c = HevcDecoderConfig.parse(x265, 0, x265.length);
        assertThrows(BitstreamException.class, () -> HevcDecoderConfig.fromParameterSets(c.vps(), List.of(), c.pps()));
        assertThrows(BitstreamException.class,
                () -> HevcDecoderConfig.fromParameterSets(c.vps(), List.of(bytes("4201 0101")), c.pps()));
        assertThrows(BitstreamException.class,
                () -> HevcDecoderConfig.fromParameterSets(c.vps(), c.sps(), List.of(new byte[0])));
        assertThrows(BitstreamException.class,
                () -> HevcDecoderConfig.fromParameterSets(c.vps(), c.sps(), List.of(new byte[0x10000])));
        List<byte[]> many = new ArrayList<>(Collections.nCopies(HevcDecoderConfig.MAX_PARAMETER_SETS + 1, c.pps().get(0)));
        assertThrows(BitstreamException.class, () -> HevcDecoderConfig.fromParameterSets(c.vps(), c.sps(), many));
    }
}
