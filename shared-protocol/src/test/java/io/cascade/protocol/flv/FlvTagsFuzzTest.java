package io.cascade.protocol.flv;

import io.cascade.testing.FuzzSeeds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.Codec;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.h265.HevcVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz tests over every parser. Each method accepts only the typed exceptions; anything else (index out of bounds,
 * negative array size, OOM...) is a finding. In plain {@code mvn test} they replay the committed seeds in
 * {@code src/test/resources/io/cascade/protocol/flv/FlvTagsFuzzTestInputs/<method>/}, which are generated from the vector
 * tables ({@link #seeds()}; regenerate with {@code -Dcascade.writeFuzzSeeds=true}).
 */
class FlvTagsFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/flv/FlvTagsFuzzTestInputs");
    /** Seed byte 0 (low 2 bits) selects the NAL length size for {@link #nalLengths}. */
    private static final int[] LENGTH_SIZES = {1, 2, 4, 3};

    @FuzzTest(maxDuration = "10s")
    void parseVideo(byte[] data) {
        try {
            FlvVideo v = FlvTags.parseVideo(data, 0, data.length);
            checkSlice(v.dataOffset(), v.dataLength(), data.length);
            if (v.kind() == PacketKind.CONFIG && v.codec() == Codec.H264) {
                AvcDecoderConfig c = AvcDecoderConfig.parse(data, v.dataOffset(), v.dataLength());
                byte[] enc = c.encode();
                AvcDecoderConfig again = AvcDecoderConfig.parse(enc, 0, enc.length);
                assertEquals(c.nalLengthSize(), again.nalLengthSize());
                c.codecString();
            } else if (v.kind() == PacketKind.CONFIG && v.codec() == Codec.H265) {
                HevcDecoderConfig.parse(data, v.dataOffset(), v.dataLength()).codecString();
            } else if (v.kind() == PacketKind.FRAME) {
                byte[] au = NalUnits.toFourByteLengths(data, v.dataOffset(), v.dataLength(), 4);
                assertEquals(au.length, NalUnits.toAnnexB(au).length);
            }
        } catch (FlvException | BitstreamException expected) {
            // typed rejection is the only acceptable failure
        }
    }

    @FuzzTest(maxDuration = "10s")
    void parseAudio(byte[] data) {
        try {
            FlvAudio a = FlvTags.parseAudio(data, 0, data.length);
            checkSlice(a.dataOffset(), a.dataLength(), data.length);
            if (a.kind() == PacketKind.CONFIG && a.codec() == Codec.AAC) {
                AudioSpecificConfig.parse(data, a.dataOffset(), a.dataLength()).codecString();
            }
        } catch (FlvException | BitstreamException expected) {
            // typed rejection
        }
    }

    @FuzzTest(maxDuration = "10s")
    void avcConfig(byte[] data) {
        try {
            AvcDecoderConfig c = AvcDecoderConfig.parse(data, 0, data.length);
            byte[] enc = c.encode();
            AvcDecoderConfig again = AvcDecoderConfig.parse(enc, 0, enc.length);
            assertEquals(c.sps().size(), again.sps().size());
            assertEquals(c.pps().size(), again.pps().size());
            assertEquals(c.codecString(), again.codecString());
        } catch (BitstreamException expected) {
            // typed rejection
        }
    }

    @FuzzTest(maxDuration = "10s")
    void nalLengths(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int lengthSize = LENGTH_SIZES[data[0] & 3];
        try {
            byte[] au = NalUnits.toFourByteLengths(data, 1, data.length - 1, lengthSize);
            int[] total = {0};
            NalUnits.visit(au, (off, len) -> total[0] += 4 + len);
            assertEquals(au.length, total[0], "validated unit must be fully walkable");
            if (lengthSize == 4) {
                assertArrayEquals(Arrays.copyOfRange(data, 1, data.length), au);
            }
            NalUnits.toAnnexB(au);
        } catch (BitstreamException expected) {
            // typed rejection
        }
    }

    @FuzzTest(maxDuration = "10s")
    void hevcConfig(byte[] data) {
        try {
            HevcDecoderConfig.parse(data, 0, data.length).codecString();
        } catch (BitstreamException expected) {
            // typed rejection
        }
    }

    @FuzzTest(maxDuration = "10s")
    void audioSpecificConfig(byte[] data) {
        try {
            AudioSpecificConfig c = AudioSpecificConfig.parse(data, 0, data.length);
            assertTrue(c.sampleRate() > 0);
            c.frameDuration(90000);
        } catch (BitstreamException expected) {
            // typed rejection
        }
    }

    private static void checkSlice(int offset, int length, int total) {
        assertTrue(offset >= 0 && length >= 0 && offset + length <= total, "data slice inside the body");
    }

    /** Seed inputs per fuzz method, from the vector tables: file name -> bytes. */
    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> m = new TreeMap<>();
        Map<String, byte[]> video = m.computeIfAbsent("parseVideo", k -> new TreeMap<>());
        FlvVectors.VIDEO.forEach(v -> video.put(fileName(v.name()), v.body()));
        FlvVectors.BAD_VIDEO.forEach(v -> video.put(fileName("bad " + v.name()), v.body()));
        Map<String, byte[]> audio = m.computeIfAbsent("parseAudio", k -> new TreeMap<>());
        FlvVectors.AUDIO.forEach(v -> audio.put(fileName(v.name()), v.body()));
        FlvVectors.BAD_AUDIO.forEach(v -> audio.put(fileName("bad " + v.name()), v.body()));
        Map<String, byte[]> avc = m.computeIfAbsent("avcConfig", k -> new TreeMap<>());
        AvcVectors.CONFIGS.forEach(v -> avc.put(fileName(v.name()), v.record()));
        for (int i = 0; i < AvcVectors.BAD_CONFIGS.size(); i++) {
            avc.put(fileName("bad config " + i), AvcVectors.BAD_CONFIGS.get(i));
        }
        Map<String, byte[]> nal = m.computeIfAbsent("nalLengths", k -> new TreeMap<>());
        AvcVectors.ACCESS_UNITS.forEach(v -> nal.put(fileName(v.name()), withSelector(v.lengthSize(), v.data())));
        AvcVectors.BAD_ACCESS_UNITS.forEach(v -> nal.put(fileName("bad " + v.name()), withSelector(v.lengthSize(), v.data())));
        Map<String, byte[]> hevc = m.computeIfAbsent("hevcConfig", k -> new TreeMap<>());
        HevcVectors.CONFIGS.forEach(v -> hevc.put(fileName(v.name()), v.record()));
        for (int i = 0; i < HevcVectors.BAD_CONFIGS.size(); i++) {
            hevc.put(fileName("bad config " + i), HevcVectors.BAD_CONFIGS.get(i));
        }
        Map<String, byte[]> asc = m.computeIfAbsent("audioSpecificConfig", k -> new TreeMap<>());
        AacVectors.CONFIGS.forEach(v -> asc.put(fileName(v.name()), v.data()));
        for (int i = 0; i < AacVectors.BAD.size(); i++) {
            asc.put(fileName("bad asc " + i), AacVectors.BAD.get(i));
        }
        return m;
    }

    private static byte[] withSelector(int lengthSize, byte[] au) {
        int selector = 0;
        while (LENGTH_SIZES[selector] != lengthSize) {
            selector++;
        }
        byte[] b = new byte[au.length + 1];
        b[0] = (byte) selector;
        System.arraycopy(au, 0, b, 1, au.length);
        return b;
    }

    private static String fileName(String vectorName) {
        return vectorName.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /** Runs every fuzz body over every seed and every truncation of it, and every committed finding, as JUnit. */
    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        Map<String, Consumer<byte[]>> bodies = Map.of(
                "parseVideo", this::parseVideo, "parseAudio", this::parseAudio, "avcConfig", this::avcConfig,
                "nalLengths", this::nalLengths, "hevcConfig", this::hevcConfig,
                "audioSpecificConfig", this::audioSpecificConfig);
        FuzzSeeds.replay(SEED_DIR, seeds(), bodies, Integer.MAX_VALUE);
    }

    /** The committed Jazzer seed files are the vector tables, plus findings (regenerate: -Dcascade.writeFuzzSeeds=true). */
    @Test
    void committedSeedFilesMatchTheVectorTables() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
