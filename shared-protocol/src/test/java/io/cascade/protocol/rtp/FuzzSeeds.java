package io.cascade.protocol.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What the RTP, payload and SDP fuzz tests share, as FlvTagsFuzzTest does it: seeds built from the vector tables and
 * captures, committed under {@code src/test/resources/<package>/<Class>Inputs/<method>/} where Jazzer replays them in a
 * plain build (regenerate with {@code -Dcascade.writeFuzzSeeds=true}), and a replay of every seed and every truncation of
 * it through the fuzz bodies as a plain JUnit test.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {
    }

    public static String fileName(String vectorName) {
        return vectorName.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /** Runs each body over each of its seeds cut at every length (at most {@code maxCuts} cuts per seed). */
    public static void replay(Map<String, Map<String, byte[]>> seeds, Map<String, Consumer<byte[]>> bodies, int maxCuts) {
        assertEquals(bodies.keySet(), seeds.keySet());
        seeds.forEach((method, files) -> files.values().forEach(seed -> {
            int step = Math.max(1, seed.length / maxCuts);
            for (int n = 0; n <= seed.length; n += step) {
                bodies.get(method).accept(Arrays.copyOf(seed, n));
            }
            bodies.get(method).accept(seed);
        }));
    }

    /** Writes the seed files when asked to, then checks the committed files are exactly the seeds. */
    public static void checkCommitted(Path dir, Map<String, Map<String, byte[]>> seeds) throws IOException {
        boolean write = Boolean.getBoolean("cascade.writeFuzzSeeds");
        for (Map.Entry<String, Map<String, byte[]>> e : seeds.entrySet()) {
            Path methodDir = dir.resolve(e.getKey());
            if (write) {
                Files.createDirectories(methodDir);
                try (Stream<Path> old = Files.list(methodDir)) {
                    for (Path p : (Iterable<Path>) old::iterator) {
                        Files.delete(p);
                    }
                }
                for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
                    Files.write(methodDir.resolve(f.getKey()), f.getValue());
                }
            }
            try (Stream<Path> files = Files.list(methodDir)) {
                assertEquals(e.getValue().keySet(), new TreeSet<>(files.map(p -> p.getFileName().toString()).toList()),
                        "seed files of " + e.getKey());
            }
            for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
                assertArrayEquals(f.getValue(), Files.readAllBytes(methodDir.resolve(f.getKey())), f.getKey());
            }
        }
    }
}
