package io.cascade.protocol.mp4;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.Codec;
import io.cascade.testing.ByteArrayChannel;
import io.cascade.testing.FuzzSeeds;
import io.cascade.testing.MediaFileChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
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
        try (Mp4FileReader r = Mp4FileReader.open(new ByteArrayChannel(data))) {
            MediaFileChecks.exercise(r, data.length);
        } catch (Mp4Exception expected) {
            // the only rejection allowed
        }
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> open = new TreeMap<>();
        open.put("progressive_moov_first", Mp4Vectors.progressive(true));
        open.put("progressive_moov_last", Mp4Vectors.progressive(false));
        open.put("fragmented_h264_aac", Mp4Vectors.fragmented(Codec.H264, 2));
        open.put("fragmented_h265_aac", Mp4Vectors.fragmented(Codec.H265, 1));
        return Map.of("open", open);
    }

    private void body(byte[] data) {
        try {
            open(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every seed cut at every length, the committed findings, and random mutants, as plain JUnit. */
    @Test
    void fuzzBodyAcceptsEverySeedTruncationAndMutant() throws IOException {
        Map<String, Consumer<byte[]>> bodies = Map.of("open", this::body);
        FuzzSeeds.replay(SEED_DIR, seeds(), bodies, Integer.MAX_VALUE);
        Random random = new Random(1);
        seeds().get("open").values().forEach(seed -> FuzzSeeds.mutate(seed, random, MUTANTS, this::body));
    }

    @Test
    void committedSeedFilesMatchTheVectors() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
