package io.cascade.protocol.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the fuzz body over every vector and every truncation of it, and checks the committed seeds match the vectors. */
class ChunkDecoderFuzzBodyTest {
    static final Path SEEDS = Path.of("src/test/resources/io/cascade/protocol/rtmp/chunk/ChunkDecoderFuzzTestInputs/feed");

    static Stream<ChunkVectors.Vector> vectors() {
        return ChunkVectors.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void fuzzBodyAcceptsVectorAndEveryTruncation(ChunkVectors.Vector v) {
        byte[] w = v.wire();
        for (int n = 0; n <= w.length; n++) {
            ChunkDecoderFuzzTest.run(Arrays.copyOf(w, n));
            ChunkDecoderFuzzTest.run(Arrays.copyOfRange(w, n, w.length));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void fuzzSeedFileMatchesVector(ChunkVectors.Vector v) throws Exception {
        assertArrayEquals(v.wire(), Files.readAllBytes(SEEDS.resolve(v.name())), "regenerate the seed for " + v.name());
    }
}
