package io.cascade.protocol.mp4;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.Codec;
import io.cascade.testing.FuzzSeeds;
import io.cascade.testing.MediaFileChecks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Jazzer over {@link Mp4FileReader}: any bytes open as a file or throw {@link Mp4Exception}; an opened file's every
 * sample reads or throws it. Seeds are the tiny files of {@link Mp4Vectors}, committed under
 * {@code src/test/resources/io/cascade/protocol/mp4/Mp4FileReaderFuzzTestInputs/open/} (regenerate with
 * {@code -Dcascade.writeFuzzSeeds=true}).
 */
class Mp4FileReaderFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/mp4/Mp4FileReaderFuzzTestInputs");
    /** Random mutants of each seed replayed in every plain build. */
    private static final int MUTANTS = 3_000;

    @FuzzTest(maxDuration = "10s")
    void open(byte[] data) throws IOException {
        MediaFileChecks.openAndExercise(data, Mp4FileReader::open, Mp4Exception.class);
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> open = new TreeMap<>();
        open.put("progressive_moov_first", Mp4Vectors.progressive(true));
        open.put("progressive_moov_last", Mp4Vectors.progressive(false));
        open.put("fragmented_h264_aac", Mp4Vectors.fragmented(Codec.H264, 2));
        open.put("fragmented_h265_aac", Mp4Vectors.fragmented(Codec.H265, 1));
        return Map.of("open", open);
    }

    /** Every seed cut at every length, the committed findings, and random mutants, as plain JUnit. */
    @Test
    void fuzzBodyAcceptsEverySeedTruncationAndMutant() throws IOException {
        MediaFileChecks.replay(SEED_DIR, seeds().get("open"), Mp4FileReader::open, Mp4Exception.class, MUTANTS);
    }

    @Test
    void committedSeedFilesMatchTheVectors() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
