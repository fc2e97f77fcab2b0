package io.cascade.protocol.h265;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import java.util.stream.Stream;
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
}
