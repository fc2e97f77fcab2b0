package io.cascade.protocol.flv;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FlvTagsTest {
    static Stream<FlvVectors.Video> video() {
        return FlvVectors.VIDEO.stream();
    }

    static Stream<FlvVectors.Audio> audio() {
        return FlvVectors.AUDIO.stream();
    }

    static Stream<FlvVectors.Bad> badVideo() {
        return FlvVectors.BAD_VIDEO.stream();
    }

    static Stream<FlvVectors.Bad> badAudio() {
        return FlvVectors.BAD_AUDIO.stream();
    }

    @ParameterizedTest
    @MethodSource("video")
    void parsesVideoVector(FlvVectors.Video v) throws FlvException {
        FlvVideo got = FlvTags.parseVideo(v.body(), 0, v.body().length);
        assertEquals(new FlvVideo(v.codec(), v.kind(), v.keyframe(), v.cts(), v.dataOffset(), v.dataLength()), got);
        assertEquals(v.body().length, got.dataOffset() + got.dataLength(), "data runs to the end of the body");
    }

    @ParameterizedTest
    @MethodSource("video")
    void parsesVideoVectorAtAnOffsetInALargerArray(FlvVectors.Video v) throws FlvException {
        byte[] padded = new byte[v.body().length + 10];
        Arrays.fill(padded, (byte) 0xEE);
        System.arraycopy(v.body(), 0, padded, 7, v.body().length);
        FlvVideo got = FlvTags.parseVideo(padded, 7, v.body().length);
        assertEquals(v.dataOffset() + 7, got.dataOffset());
        assertEquals(v.dataLength(), got.dataLength());
        assertEquals(v.cts(), got.compositionTimeMs());
    }

    @ParameterizedTest
    @MethodSource("video")
    void everyTruncationOfAVideoVectorParsesOrThrowsFlvException(FlvVectors.Video v) {
        for (int n = 0; n < v.body().length; n++) {
            try {
                FlvVideo got = FlvTags.parseVideo(v.body(), 0, n);
                assertTrue(got.dataOffset() + got.dataLength() <= n);
            } catch (FlvException expected) {
                // fine
            }
        }
    }

    @ParameterizedTest
    @MethodSource("audio")
    void parsesAudioVector(FlvVectors.Audio v) throws FlvException {
        FlvAudio got = FlvTags.parseAudio(v.body(), 0, v.body().length);
        assertEquals(new FlvAudio(v.codec(), v.soundFormat(), v.kind(), v.dataOffset(), v.dataLength()), got);
    }

    @ParameterizedTest
    @MethodSource("badVideo")
    void rejectsMalformedVideo(FlvVectors.Bad v) {
        FlvException e = assertThrows(FlvException.class, () -> FlvTags.parseVideo(v.body(), 0, v.body().length));
        assertTrue(e.getMessage().contains(v.messagePart()), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("badAudio")
    void rejectsMalformedAudio(FlvVectors.Bad v) {
        FlvException e = assertThrows(FlvException.class, () -> FlvTags.parseAudio(v.body(), 0, v.body().length));
        assertTrue(e.getMessage().contains(v.messagePart()), e.getMessage());
    }

    @Test
    void rejectsSliceOutsideTheArray() {
        byte[] b = bytes("17 01 000000");
        assertThrows(FlvException.class, () -> FlvTags.parseVideo(b, 3, 5));
        assertThrows(FlvException.class, () -> FlvTags.parseVideo(b, -1, 2));
        assertThrows(FlvException.class, () -> FlvTags.parseAudio(b, 0, 6));
        assertThrows(FlvException.class, () -> FlvTags.parseAudio(null, 0, 0));
    }

    /** The header builders must reproduce the headers of the table's vectors byte for byte. */
    @Test
    void videoHeaderReproducesVectorHeaders() {
        assertArrayEquals(bytes("17 00 000000"), FlvTags.videoHeader(Codec.H264, true, true, 0));
        assertArrayEquals(bytes("17 01 000043"), FlvTags.videoHeader(Codec.H264, false, true, 67));
        assertArrayEquals(bytes("27 01 000085"), FlvTags.videoHeader(Codec.H264, false, false, 133));
        assertArrayEquals(bytes("27 01 ffffff"), FlvTags.videoHeader(Codec.H264, false, false, -1));
        assertArrayEquals(bytes("90 68766331"), FlvTags.videoHeader(Codec.H265, true, true, 0));
        assertArrayEquals(bytes("a1 68766331 000021"), FlvTags.videoHeader(Codec.H265, false, false, 33));
        assertArrayEquals(bytes("17 02 000000"), FlvTags.endOfSequence(Codec.H264));
        assertArrayEquals(bytes("92 68766331"), FlvTags.endOfSequence(Codec.H265));
        assertArrayEquals(bytes("af 00"), FlvTags.audioHeader(Codec.AAC, true));
        assertArrayEquals(bytes("af 01"), FlvTags.audioHeader(Codec.AAC, false));
    }

    @Test
    void builtHeadersParseBackToTheSameValues() throws FlvException {
        byte[] payload = bytes("00000001 09");
        int[] ctsValues = {0, 1, 33, -1, -33, FlvTags.MAX_COMPOSITION_TIME, FlvTags.MIN_COMPOSITION_TIME};
        for (Codec codec : new Codec[] {Codec.H264, Codec.H265}) {
            for (boolean config : new boolean[] {true, false}) {
                for (boolean key : new boolean[] {true, false}) {
                    for (int cts : ctsValues) {
                        byte[] header = FlvTags.videoHeader(codec, config, key, cts);
                        byte[] body = concat(header, payload);
                        FlvVideo v = FlvTags.parseVideo(body, 0, body.length);
                        String what = codec + " config=" + config + " key=" + key + " cts=" + cts;
                        assertEquals(codec, v.codec(), what);
                        assertEquals(config ? PacketKind.CONFIG : PacketKind.FRAME, v.kind(), what);
                        assertEquals(config || key, v.keyframe(), what);
                        assertEquals(config ? 0 : cts, v.compositionTimeMs(), what);
                        assertEquals(header.length, v.dataOffset(), what);
                        assertEquals(payload.length, v.dataLength(), what);
                    }
                }
            }
            byte[] eos = FlvTags.endOfSequence(codec);
            FlvVideo v = FlvTags.parseVideo(eos, 0, eos.length);
            assertEquals(codec, v.codec());
            assertEquals(PacketKind.END_OF_SEQUENCE, v.kind());
        }
        for (boolean config : new boolean[] {true, false}) {
            byte[] body = concat(FlvTags.audioHeader(Codec.AAC, config), payload);
            FlvAudio a = FlvTags.parseAudio(body, 0, body.length);
            assertEquals(new FlvAudio(Codec.AAC, 10, config ? PacketKind.CONFIG : PacketKind.FRAME, 2, payload.length), a);
        }
    }

    @Test
    void headerSizes() {
        assertEquals(5, FlvTags.videoHeader(Codec.H264, false, true, 0).length);
        assertEquals(8, FlvTags.videoHeader(Codec.H265, false, true, 0).length);
        assertEquals(5, FlvTags.videoHeader(Codec.H265, true, true, 0).length);
    }

    @Test
    void buildersRejectWrongCodecsAndCts() {
        assertThrows(IllegalArgumentException.class, () -> FlvTags.videoHeader(Codec.AAC, false, true, 0));
        assertThrows(IllegalArgumentException.class, () -> FlvTags.videoHeader(Codec.H264, false, true, 0x800000));
        assertThrows(IllegalArgumentException.class, () -> FlvTags.audioHeader(Codec.H264, false));
        assertThrows(IllegalArgumentException.class, () -> FlvTags.endOfSequence(Codec.AAC));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
