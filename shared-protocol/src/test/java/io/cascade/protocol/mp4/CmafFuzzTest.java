package io.cascade.protocol.mp4;

import io.cascade.testing.FuzzSeeds;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.Codec;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcSps;
import io.cascade.protocol.h264.AvcSpsVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcSps;
import io.cascade.protocol.h265.HevcSpsVectors;
import io.cascade.protocol.h265.HevcVectors;
import io.cascade.protocol.mp4.BoxWalker.Box;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz tests for the SPS parsers and for what the CMAF writer accepts from a publisher (decoder configurations and
 * video samples). Only the declared errors may escape: BitstreamException from the parsers, IllegalArgumentException from
 * the writer; anything else, or output whose boxes do not add up, is a finding. In plain {@code mvn test} they replay the
 * committed seeds in {@code src/test/resources/io/cascade/protocol/mp4/CmafFuzzTestInputs/<method>/}, generated from the
 * vector tables (regenerate with {@code -Dcascade.writeFuzzSeeds=true}); {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class CmafFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/mp4/CmafFuzzTestInputs");
    /** Seed byte 0 selects the codec of {@link #trackConfig}. */
    private static final List<Codec> CODECS = List.of(Codec.H264, Codec.H265, Codec.AAC);
    private static final CmafTrack AVC = new CmafTrack(1, Codec.H264, 90000, AvcVectors.CONFIGS.get(0).record());

    @FuzzTest(maxDuration = "10s")
    void avcSps(byte[] data) {
        try {
            AvcSps sps = AvcSps.parse(data, 0, data.length);
            assertTrue(sps.width() > 0 && sps.width() <= AvcSps.MAX_DIMENSION_IN_MBS * 16);
            assertTrue(sps.height() > 0 && sps.height() <= AvcSps.MAX_DIMENSION_IN_MBS * 16);
        } catch (BitstreamException expected) {
            // typed rejection is the only acceptable failure
        }
    }

    @FuzzTest(maxDuration = "10s")
    void hevcSps(byte[] data) {
        try {
            HevcSps sps = HevcSps.parse(data, 0, data.length);
            assertTrue(sps.width() > 0 && sps.width() <= HevcSps.MAX_DIMENSION);
            assertTrue(sps.height() > 0 && sps.height() <= HevcSps.MAX_DIMENSION);
        } catch (BitstreamException expected) {
            // typed rejection
        }
    }

    /** Byte 0 picks the codec, the rest is the decoder configuration; an accepted track must give a well-formed init. */
    @FuzzTest(maxDuration = "10s")
    void trackConfig(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Codec codec = CODECS.get((data[0] & 0xFF) % CODECS.size());
        try {
            CmafTrack track = new CmafTrack(1, codec, 90000, Arrays.copyOfRange(data, 1, data.length));
            byte[] init = CmafWriter.initSegment(track);
            List<Box> top = BoxWalker.parse(init);
            assertEquals(List.of("ftyp", "moov"), BoxWalker.types(top));
            assertEquals(1, top.get(1).path("trak/mdia/minf/stbl/stsd").children().size());
            assertTrue(CmafWriter.codecs(track).matches("(avc1|hvc1|mp4a)\\..+"));
        } catch (IllegalArgumentException expected) {
            // typed rejection
        }
    }

    /** The data as one H.264 sample: accepted bytes must land whole in mdat, where trun points. */
    @FuzzTest(maxDuration = "10s")
    void videoSample(byte[] data) {
        try {
            byte[] segment = CmafWriter.mediaSegment(AVC, 1, List.of(new CmafSample(0, 3600, 0, true, data)));
            List<Box> top = BoxWalker.parse(segment);
            Box moof = BoxWalker.only(top, "moof");
            Box mdat = BoxWalker.only(top, "mdat");
            long dataOffset = BoxWalker.u32(segment, moof.path("traf/trun").fullBoxBody() + 4);
            assertEquals(mdat.payloadOffset(), moof.offset() + dataOffset);
            assertArrayEquals(data, Arrays.copyOfRange(segment, mdat.payloadOffset(), mdat.end()));
        } catch (IllegalArgumentException expected) {
            // typed rejection
        }
    }

    /** Seed inputs per fuzz method, from the vector tables: file name -> bytes. */
    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> m = new TreeMap<>();
        Map<String, byte[]> avcSps = m.computeIfAbsent("avcSps", k -> new TreeMap<>());
        AvcSpsVectors.VALID.forEach(v -> avcSps.put(fileName(v.name()), bytes(v.hex())));
        putAll(avcSps, "bad sps", AvcSpsVectors.BAD);
        Map<String, byte[]> hevcSps = m.computeIfAbsent("hevcSps", k -> new TreeMap<>());
        HevcSpsVectors.VALID.forEach(v -> hevcSps.put(fileName(v.name()), bytes(v.hex())));
        putAll(hevcSps, "bad sps", HevcSpsVectors.BAD);
        Map<String, byte[]> track = m.computeIfAbsent("trackConfig", k -> new TreeMap<>());
        AvcVectors.CONFIGS.forEach(v -> track.put(fileName("avc " + v.name()), withCodec(Codec.H264, v.record())));
        putAll(track, "avc bad config", AvcVectors.BAD_CONFIGS.stream().map(c -> withCodec(Codec.H264, c)).toList());
        HevcVectors.CONFIGS.forEach(v -> track.put(fileName("hevc " + v.name()), withCodec(Codec.H265, v.record())));
        putAll(track, "hevc bad config", HevcVectors.BAD_CONFIGS.stream().map(c -> withCodec(Codec.H265, c)).toList());
        AacVectors.CONFIGS.forEach(v -> track.put(fileName("aac " + v.name()), withCodec(Codec.AAC, v.data())));
        putAll(track, "aac bad config", AacVectors.BAD.stream().map(c -> withCodec(Codec.AAC, c)).toList());
        Map<String, byte[]> sample = m.computeIfAbsent("videoSample", k -> new TreeMap<>());
        AvcVectors.ACCESS_UNITS.forEach(v -> sample.put(fileName(v.name()), v.data()));
        AvcVectors.BAD_ACCESS_UNITS.forEach(v -> sample.put(fileName("bad " + v.name()), v.data()));
        return m;
    }

    private static void putAll(Map<String, byte[]> target, String prefix, List<byte[]> inputs) {
        for (int i = 0; i < inputs.size(); i++) {
            target.put(fileName(prefix + " " + i), inputs.get(i));
        }
    }

    private static byte[] withCodec(Codec codec, byte[] config) {
        byte[] b = new byte[config.length + 1];
        b[0] = (byte) CODECS.indexOf(codec);
        System.arraycopy(config, 0, b, 1, config.length);
        return b;
    }

    private static String fileName(String vectorName) {
        return vectorName.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /** Runs every fuzz body over every seed and every truncation of it, and every committed finding, as JUnit. */
    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        Map<String, Consumer<byte[]>> bodies = Map.of("avcSps", this::avcSps, "hevcSps", this::hevcSps,
                "trackConfig", this::trackConfig, "videoSample", this::videoSample);
        FuzzSeeds.replay(SEED_DIR, seeds(), bodies, Integer.MAX_VALUE);
    }

    /** The committed Jazzer seed files are the vector tables, plus findings (regenerate: -Dcascade.writeFuzzSeeds=true). */
    @Test
    void committedSeedFilesMatchTheVectorTables() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
