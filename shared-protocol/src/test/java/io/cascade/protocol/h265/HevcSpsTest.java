package io.cascade.protocol.h265;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.h264.BitstreamException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HevcSpsTest {
    static Stream<HevcSpsVectors.Sps> vectors() {
        return HevcSpsVectors.VALID.stream();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void parsesX265Sps(HevcSpsVectors.Sps v) throws BitstreamException {
        byte[] nal = bytes(v.hex());
        HevcSps sps = HevcSps.parse(nal, 0, nal.length);
        assertEquals(0, sps.generalProfileSpace());
        assertEquals(0, sps.generalTierFlag());
        assertEquals(v.profile(), sps.generalProfileIdc());
        assertEquals(v.level(), sps.generalLevelIdc());
        assertEquals(v.chroma(), sps.chromaFormatIdc());
        assertEquals(v.bitDepth(), sps.bitDepthLuma());
        assertEquals(v.bitDepth(), sps.bitDepthChroma());
        assertEquals(v.width(), sps.width());
        assertEquals(v.height(), sps.height());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void everyTruncationThrowsOnlyBitstreamException(HevcSpsVectors.Sps v) {
        byte[] nal = bytes(v.hex());
        for (int n = 0; n < nal.length; n++) {
            try {
                HevcSps.parse(nal, 0, n);
            } catch (BitstreamException expected) {
                // a cut before the bit depths cannot parse
            }
        }
    }

    @Test
    void sixSubLayersWithProfilesAndLevelsAreReadPast() throws BitstreamException {
        byte[] nal = HevcSpsVectors.synthetic(6, true, 1, false, 1280, 720, new int[] {1, 2, 3, 4});
        HevcSps sps = HevcSps.parse(nal, 0, nal.length);
        assertEquals(1280 - 6, sps.width());
        assertEquals(720 - 14, sps.height());
    }

    @Test
    void separateColourPlanesUseLumaUnits() throws BitstreamException {
        byte[] nal = HevcSpsVectors.synthetic(0, false, 3, true, 1280, 720, new int[] {1, 2, 3, 4});
        HevcSps sps = HevcSps.parse(nal, 0, nal.length);
        assertEquals(1280 - 3, sps.width());
        assertEquals(720 - 7, sps.height());
    }

    static Stream<byte[]> bad() {
        return HevcSpsVectors.BAD.stream();
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsMalformedSps(byte[] nal) {
        assertThrows(BitstreamException.class, () -> HevcSps.parse(nal, 0, nal.length));
    }
}
