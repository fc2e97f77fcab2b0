package io.cascade.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.StreamNames;
import io.cascade.testing.FuzzSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The origin's ingest-point file, {@code ingest-points.json}, read from arbitrary bytes (a damaged disk, a hand edit):
 * either every point it lists, all valid names, which write back to a file that reads the same; or an
 * {@link IOException} naming the file. Nothing else may escape, since a node must refuse to start on a damaged file
 * rather than crash or start empty and overwrite it. Seeds: files the node writes, and damaged ones.
 * {@code JAZZER_FUZZ=1 mvn -pl shared-protocol test -Dtest=IngestPointSnapshotFuzzTest} fuzzes.
 */
class IngestPointSnapshotFuzzTest {
    private static final Path SEED_DIR =
            Path.of("src/test/resources/io/cascade/cluster/IngestPointSnapshotFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void read(byte[] data) {
        run(data);
    }

    static void run(byte[] data) {
        List<IngestPoint> points;
        try {
            points = IngestPointSnapshot.parse("ingest-points.json", data);
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith("ingest-points.json: "), refused.getMessage());
            return;
        }
        assertTrue(points.size() <= IngestPointStore.MAX_POINTS);
        for (IngestPoint p : points) {
            assertTrue(StreamNames.isValid(p.privateName()) && StreamNames.isValid(p.publicName()), p.toString());
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> s = new TreeMap<>();
        s.put("two_points", utf8("{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"cam1-x7Kq9\","
                + "\"publicStreamName\":\"cam1\"},{\"privateStreamName\":\"b-secret\",\"publicStreamName\":\"b\"}]}"));
        s.put("empty", utf8("{\"version\":1,\"ingestPoints\":[]}"));
        s.put("version_2", utf8("{\"version\":2,\"ingestPoints\":[]}"));
        s.put("bad_name", utf8("{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"../x\",\"publicStreamName\":\"b\"}]}"));
        s.put("not_an_object", utf8("[1,2,3]"));
        s.put("null", utf8("null"));
        s.put("truncated", utf8("{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"a"));
        s.put("not_utf8", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        s.put("deep", utf8("[".repeat(2000)));
        return Map.of("read", s);
    }

    @Test
    void whatTheNodeWritesReadsBackTheSame(@TempDir Path dir) throws IOException {
        List<IngestPoint> points = List.of(new IngestPoint("cam1-x7Kq9", "cam1"), new IngestPoint("b-secret", "b"));
        Path file = dir.resolve(IngestPointSnapshot.FILE_NAME);
        IngestPointSnapshot.write(file, points);
        assertEquals(points, IngestPointSnapshot.parse("f", Files.readAllBytes(file)));
        assertEquals(points, IngestPointSnapshot.read(file));
    }

    @Test
    void fuzzBodyAcceptsEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("read", IngestPointSnapshotFuzzTest::run), 500);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
