package io.cascade.protocol.amf0;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the fuzz body over every entry of {@link Amf0Vectors} and every truncation of it, so the
 * table drives the fuzz property even without Jazzer, and checks that the committed Jazzer seed
 * inputs are exactly the table's bytes.
 *
 * <p>To (re)generate the seed files after changing the table, run from shared-protocol/:
 * {@code mvn test -Dtest=Amf0FuzzSeedsTest -Damf0.writeSeeds=true}.
 */
class Amf0FuzzSeedsTest {

    static final String SEED_DIR = "io/cascade/protocol/amf0/Amf0ReaderFuzzTestInputs/readAll/";

    /** Seed-file name -> bytes, for every valid and malformed table entry. */
    static Map<String, byte[]> table() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        Amf0Vectors.VALID.forEach(v -> all.put(Amf0Vectors.seedName(v.name()), v.bytes()));
        Amf0Vectors.MALFORMED.forEach(m ->
                all.put("malformed-" + Amf0Vectors.seedName(m.name()), m.bytes()));
        return all;
    }

    static Stream<String> names() {
        return table().keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void fuzzBodyOverEveryTruncation(String name) {
        byte[] full = table().get(name);
        int step = full.length > 4096 ? full.length / 512 : 1; // the 64 KiB vectors: sample cuts
        for (int cut = 0; cut <= full.length; cut += step) {
            Amf0ReaderFuzzTest.fuzzBody(Arrays.copyOf(full, cut));
        }
        Amf0ReaderFuzzTest.fuzzBody(full);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void seedFileMatchesTable(String name) throws IOException {
        byte[] expected = table().get(name);
        if (Boolean.getBoolean("amf0.writeSeeds")) {
            Path dir = Path.of("src/test/resources").resolve(SEED_DIR);
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), expected);
            return;
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SEED_DIR + name)) {
            assertTrue(in != null, "missing seed file " + SEED_DIR + name
                    + " (regenerate with -Damf0.writeSeeds=true)");
            assertArrayEquals(expected, in.readAllBytes(), "seed file " + name + " is stale");
        }
    }

    @Test
    void tableNamesAreUnique() {
        assertTrue(table().size()
                == Amf0Vectors.VALID.size() + Amf0Vectors.MALFORMED.size(), "duplicate names");
    }
}
