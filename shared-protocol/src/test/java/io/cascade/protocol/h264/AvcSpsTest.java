package io.cascade.protocol.h264;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvcSpsTest {
    static Stream<AvcSpsVectors.Sps> vectors() {
        return AvcSpsVectors.VALID.stream();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void parsesFfmpegSps(AvcSpsVectors.Sps v) throws BitstreamException {
        byte[] nal = bytes(v.hex());
        AvcSps sps = AvcSps.parse(nal, 0, nal.length);
        assertEquals(v.profile(), sps.profileIdc());
        assertEquals(v.level(), sps.levelIdc());
        assertEquals(v.chroma(), sps.chromaFormatIdc());
        assertEquals(v.bitDepth(), sps.bitDepthLuma());
        assertEquals(v.bitDepth(), sps.bitDepthChroma());
        assertEquals(v.frameMbsOnly(), sps.frameMbsOnly());
        assertEquals(v.width(), sps.width());
        assertEquals(v.height(), sps.height());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void parsesAtAnOffsetInsideALargerArray(AvcSpsVectors.Sps v) throws BitstreamException {
        byte[] nal = bytes("ffff", v.hex(), "ff");
        assertEquals(v.width(), AvcSps.parse(nal, 2, nal.length - 3).width());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void everyTruncationThrowsOnlyBitstreamException(AvcSpsVectors.Sps v) {
        byte[] nal = bytes(v.hex());
        for (int n = 0; n < nal.length; n++) {
            try {
                AvcSps.parse(nal, 0, n);
            } catch (BitstreamException expected) {
                // a cut before frame cropping cannot parse; a cut in the VUI may
            }
        }
    }

    @Test
    void pocType1CycleIsReadPast() throws BitstreamException {
        byte[] nal = AvcSpsVectors.synthetic(77, 1, false, 1, 21, 17, true, null);
        AvcSps sps = AvcSps.parse(nal, 0, nal.length);
        assertEquals(352, sps.width());
        assertEquals(288, sps.height());
    }

    @Test
    void monochromeCropsInLumaSamples() throws BitstreamException {
        byte[] nal = AvcSpsVectors.synthetic(100, 0, false, 0, 9, 9, true, new int[] {1, 2, 3, 4});
        AvcSps sps = AvcSps.parse(nal, 0, nal.length);
        assertEquals(0, sps.chromaFormatIdc());
        assertEquals(160 - 3, sps.width());
        assertEquals(160 - 7, sps.height());
    }

    @Test
    void separateColourPlanesCropInLumaSamplesAndFieldRows() throws BitstreamException {
        byte[] nal = AvcSpsVectors.synthetic(244, 3, true, 0, 9, 4, false, new int[] {1, 0, 0, 1});
        AvcSps sps = AvcSps.parse(nal, 0, nal.length);
        assertEquals(160 - 1, sps.width());
        assertEquals(160 - 2, sps.height());
    }

    @Test
    void largestLevel62SizeParses() throws BitstreamException {
        byte[] nal = AvcSpsVectors.synthetic(100, 1, false, 0, AvcSps.MAX_DIMENSION_IN_MBS - 1, 0, true, null);
        assertEquals(16880, AvcSps.parse(nal, 0, nal.length).width());
    }

    static Stream<byte[]> bad() {
        return AvcSpsVectors.BAD.stream();
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsMalformedSps(byte[] nal) {
        assertThrows(BitstreamException.class, () -> AvcSps.parse(nal, 0, nal.length));
    }

    @Test
    void rejectsSliceOutsideArray() {
        assertThrows(BitstreamException.class, () -> AvcSps.parse(null, 0, 0));
        assertThrows(BitstreamException.class, () -> AvcSps.parse(new byte[4], 2, 3));
        assertThrows(BitstreamException.class, () -> AvcSps.parse(new byte[4], -1, 1));
    }

    @Test
    void syntheticHelperMatchesAFfmpegVector() throws BitstreamException {
        byte[] nal = AvcSpsVectors.synthetic(100, 1, false, 0, 19, 11, true, new int[] {0, 0, 0, 6});
        AvcSps sps = AvcSps.parse(nal, 0, nal.length);
        assertEquals(320, sps.width());
        assertEquals(180, sps.height());
        assertTrue(sps.frameMbsOnly());
    }
}
