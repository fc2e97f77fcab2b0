package io.cascade.protocol.flv;

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
 * Jazzer over {@link FlvFileReader}: any bytes open as a file or throw {@link FlvFileException}; an opened file's
 * every sample reads or throws it. Seeds are the tiny files of {@link FlvFileVectors}, committed under
 * {@code src/test/resources/io/cascade/protocol/flv/FlvFileReaderFuzzTestInputs/open/} (regenerate with
 * {@code -Dcascade.writeFuzzSeeds=true}).
 */
class FlvFileReaderFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/flv/FlvFileReaderFuzzTestInputs");
    /** Random mutants of each seed replayed in every plain build. */
    private static final int MUTANTS = 3_000;

    @FuzzTest(maxDuration = "10s")
    void open(byte[] data) throws IOException {
        MediaFileChecks.openAndExercise(data, FlvFileReader::open, FlvFileException.class);
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> open = new TreeMap<>();
        open.put("h264_aac", FlvFileVectors.file(Codec.H264));
        open.put("h265_enhanced_aac", FlvFileVectors.file(Codec.H265));
        return Map.of("open", open);
    }

    /** Every seed cut at every length, the committed findings, and random mutants, as plain JUnit. */
    @Test
    void fuzzBodyAcceptsEverySeedTruncationAndMutant() throws IOException {
        MediaFileChecks.replay(SEED_DIR, seeds().get("open"), FlvFileReader::open, FlvFileException.class, MUTANTS);
    }

    @Test
    void committedSeedFilesMatchTheVectors() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
