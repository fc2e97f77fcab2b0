package io.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What every fuzz test shares: seeds built from its vector tables and captures, committed under
 * {@code src/test/resources/<package>/<Class>Inputs/<method>/} where Jazzer replays them in a plain build (regenerate
 * with {@code -Dcascade.writeFuzzSeeds=true}), and a replay of every seed and every truncation of it through the fuzz
 * bodies as a plain JUnit test.
 *
 * <p>Beside the table-made seeds a folder may hold <em>findings</em>: inputs Jazzer wrote when it found a crash
 * ({@code crash-<hash>}, and libFuzzer's other kinds: {@code timeout-}, {@code oom-}, {@code leak-},
 * {@code slow-unit-}). Committed once the bug is fixed, they stay: the check below accepts them, regenerating the
 * seeds leaves them alone, and they replay in every build, through Jazzer's regression run and through
 * {@link #replay(Path, Map, Map, int)}. Any other file that is not in the table is a stale seed and fails the check.
 */
public final class FuzzSeeds {
    /** The name prefixes of inputs Jazzer (libFuzzer) writes for a finding. */
    public static final List<String> FINDING_PREFIXES = List.of("crash-", "timeout-", "oom-", "leak-", "slow-unit-");

    private FuzzSeeds() {
    }

    public static String fileName(String vectorName) {
        return vectorName.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /** Whether a file in a seed folder is a committed finding rather than a table-made seed. */
    public static boolean isFinding(String fileName) {
        return FINDING_PREFIXES.stream().anyMatch(fileName::startsWith);
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

    /**
     * Runs {@code body} over {@code count} mutants of {@code seed}, each with 1 to 8 bytes set at random: what a fuzzer's
     * first mutations reach, in every plain build. The same {@code random} gives the same mutants.
     */
    public static void mutate(byte[] seed, java.util.Random random, int count, Consumer<byte[]> body) {
        if (seed.length == 0) {
            return;
        }
        for (int k = 0; k < count; k++) {
            byte[] mutant = seed.clone();
            int flips = 1 + random.nextInt(8);
            for (int f = 0; f < flips; f++) {
                mutant[random.nextInt(mutant.length)] = (byte) random.nextInt(256);
            }
            body.accept(mutant);
        }
    }

    /** As {@link #replay(Map, Map, int)}, then every committed finding under {@code dir} through its body, whole. */
    public static void replay(Path dir, Map<String, Map<String, byte[]>> seeds, Map<String, Consumer<byte[]>> bodies,
                              int maxCuts) throws IOException {
        replay(seeds, bodies, maxCuts);
        for (String method : bodies.keySet()) {
            for (byte[] finding : findings(dir.resolve(method)).values()) {
                bodies.get(method).accept(finding);
            }
        }
    }

    /** The committed findings of one fuzz method's folder, by file name (none when the folder does not exist). */
    public static Map<String, byte[]> findings(Path methodDir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.isDirectory(methodDir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(methodDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (isFinding(p.getFileName().toString())) {
                    out.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    /**
     * Writes the seed files when asked to ({@code -Dcascade.writeFuzzSeeds=true}), then checks that the committed
     * files are the seeds, byte for byte, plus any committed findings.
     */
    public static void checkCommitted(Path dir, Map<String, Map<String, byte[]>> seeds) throws IOException {
        checkCommitted(dir, seeds, Boolean.getBoolean("cascade.writeFuzzSeeds"));
    }

    static void checkCommitted(Path dir, Map<String, Map<String, byte[]>> seeds, boolean write) throws IOException {
        for (Map.Entry<String, Map<String, byte[]>> e : seeds.entrySet()) {
            Path methodDir = dir.resolve(e.getKey());
            if (write) {
                Files.createDirectories(methodDir);
                try (Stream<Path> old = Files.list(methodDir)) {
                    for (Path p : (Iterable<Path>) old::iterator) {
                        if (!isFinding(p.getFileName().toString())) {
                            Files.delete(p); // a finding is kept: it is a regression test, not a table entry
                        }
                    }
                }
                for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
                    assertTrue(!isFinding(f.getKey()), "a table seed named like a finding: " + f.getKey());
                    Files.write(methodDir.resolve(f.getKey()), f.getValue());
                }
            }
            TreeSet<String> committed;
            try (Stream<Path> files = Files.list(methodDir)) {
                committed = new TreeSet<>(files.map(p -> p.getFileName().toString()).filter(n -> !isFinding(n)).toList());
            }
            assertEquals(new TreeSet<>(e.getValue().keySet()), committed, "seed files of " + e.getKey()
                    + " (besides findings named " + FINDING_PREFIXES + "*); regenerate with -Dcascade.writeFuzzSeeds=true");
            for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
                assertArrayEquals(f.getValue(), Files.readAllBytes(methodDir.resolve(f.getKey())), f.getKey());
            }
        }
    }
}
