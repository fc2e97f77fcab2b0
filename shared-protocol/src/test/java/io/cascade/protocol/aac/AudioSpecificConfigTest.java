package io.cascade.protocol.aac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.h264.BitstreamException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AudioSpecificConfigTest {
    static Stream<AacVectors.Asc> configs() {
        return AacVectors.CONFIGS.stream();
    }

    static Stream<byte[]> bad() {
        return AacVectors.BAD.stream();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void parses(AacVectors.Asc v) throws BitstreamException {
        AudioSpecificConfig c = AudioSpecificConfig.parse(v.data(), 0, v.data().length);
        assertEquals(new AudioSpecificConfig(v.objectType(), v.sampleRate(), v.channels()), c);
        assertEquals(v.codecString(), c.codecString());
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsMalformed(byte[] data) {
        assertThrows(BitstreamException.class, () -> AudioSpecificConfig.parse(data, 0, data.length));
    }

    @Test
    void frameTiming() {
        AudioSpecificConfig lc48 = new AudioSpecificConfig(2, 48000, 2);
        assertEquals(1024, lc48.samplesPerFrame());
        assertEquals(21, lc48.frameDuration(1000));
        assertEquals(1920, lc48.frameDuration(90000));
        assertEquals(21333, lc48.frameTimestamp(1000, 1000)); // 1000 frames = 21.333 s, no drift
        AudioSpecificConfig lc441 = new AudioSpecificConfig(2, 44100, 1);
        assertEquals(2089, lc441.frameDuration(90000));
        assertEquals(2089795, lc441.frameTimestamp(1000, 90000));
    }

    @Test
    void theCoreOfHeAacIsItsAacLcLayerAtTheCoreRate() throws Exception {
        byte[] heAac = io.cascade.protocol.flv.Hex.bytes("2b 92 08"); // SBR, 22.05 kHz core, 44.1 kHz output
        assertEquals(new AudioSpecificConfig.Core(2, 22050), AudioSpecificConfig.core(heAac, 0, heAac.length));
        byte[] lc = io.cascade.protocol.flv.Hex.bytes("11 90");
        assertEquals(new AudioSpecificConfig.Core(2, 48000), AudioSpecificConfig.core(lc, 0, lc.length));
        assertEquals(7, AudioSpecificConfig.samplingFrequencyIndex(22050));
        assertEquals(-1, AudioSpecificConfig.samplingFrequencyIndex(22000));
    }
}
