package io.cascade.edge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.StreamNames;
import io.cascade.testing.FuzzSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What an HTTP viewer controls, fuzzed: the path grammar of HLS and DASH requests ({@link SegmentRequest}), the Range
 * header ({@link ByteRange}), and the query a playlist carries on to its URIs ({@link CarriedQuery}).
 *
 * <ul>
 *   <li>{@code path}: parsing never throws; a path it accepts names a valid stream, one of the stream's own files,
 *   and no number below zero; nothing that holds "..", a backslash, a percent sign or a second stream segment.</li>
 *   <li>{@code range}: never throws; a range it grants lies within the body, first before last.</li>
 *   <li>{@code carried}: the query made safe holds nothing that could end a line, a quoted attribute or an XML
 *   attribute, or open a DASH template identifier; a playlist with it keeps its lines and every URI gets the query.</li>
 * </ul>
 * Seeds: real requests, headers and playlists, and hostile ones. {@code JAZZER_FUZZ=1 mvn -pl edge test
 * -Dtest='HttpRequestFuzzTest#path'} fuzzes (one method a run).
 */
class HttpRequestFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/edge/http/HttpRequestFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void path(byte[] data) {
        String path = new String(data, StandardCharsets.UTF_8);
        SegmentRequest r = SegmentRequest.parse(path);
        if (r == null) {
            return;
        }
        assertTrue(StreamNames.isValid(r.stream()), r.toString());
        assertTrue(r.number() >= 0, r.toString());
        for (String segment : path.substring(1).split("/", -1)) {
            assertTrue(!segment.isEmpty() && !segment.equals(".") && !segment.equals(".."), path);
        }
        assertTrue(path.indexOf('\\') < 0 && path.indexOf('%') < 0 && path.indexOf('?') < 0, path);
        assertTrue(path.startsWith("/" + r.stream() + "/"), path);
        assertTrue(path.chars().filter(c -> c == '/').count() <= 3, path);
    }

    @FuzzTest(maxDuration = "10s")
    void range(byte[] data) {
        if (data.length < 4) {
            return;
        }
        long length = ((data[0] & 0xFFL) << 16 | (data[1] & 0xFFL) << 8 | (data[2] & 0xFFL)) + (data[3] & 1);
        String header = new String(data, 4, data.length - 4, StandardCharsets.ISO_8859_1);
        long[] span = ByteRange.parse(header, length);
        if (span == null || span.length == 0) {
            return;
        }
        assertEquals(2, span.length);
        assertTrue(0 <= span[0] && span[0] <= span[1] && span[1] < length,
                header + " over " + length + ": " + Arrays.toString(span));
    }

    @FuzzTest(maxDuration = "10s")
    void carried(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int cut = 1 + (data[0] & 0xFF) * (data.length - 1) / 256;
        String query = new String(data, 1, cut - 1, StandardCharsets.UTF_8);
        String playlist = new String(data, cut, data.length - cut, StandardCharsets.UTF_8);
        String safe = CarriedQuery.safe(query);
        assertTrue(safe.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || "._~=&%+,;:@/-".indexOf(c) >= 0)),
                safe);
        String m3u8 = CarriedQuery.m3u8(playlist, safe);
        assertEquals(playlist.split("\n", -1).length, m3u8.split("\n", -1).length, "lines kept");
        if (!safe.isEmpty()) {
            String[] in = playlist.split("\n", -1);
            String[] out = m3u8.split("\n", -1);
            for (int i = 0; i < in.length; i++) {
                if (!in[i].isEmpty() && !in[i].startsWith("#")) {
                    assertTrue(out[i].endsWith(safe), out[i]);
                }
            }
        }
        String mpd = CarriedQuery.mpd(playlist, safe);
        assertTrue(mpd.length() >= playlist.length());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] range(long length, String header) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[4 + h.length];
        b[0] = (byte) (length >> 16);
        b[1] = (byte) (length >> 8);
        b[2] = (byte) length;
        System.arraycopy(h, 0, b, 4, h.length);
        return b;
    }

    private static byte[] carried(String query, String text) {
        byte[] q = utf8(query);
        byte[] t = utf8(text);
        int total = 1 + q.length + t.length;
        // the first byte says where the query ends: b * (total - 1) / 256 == q.length
        int b = (int) Math.ceil(q.length * 256.0 / (total - 1));
        byte[] out = new byte[total];
        out[0] = (byte) Math.min(255, b);
        System.arraycopy(q, 0, out, 1, q.length);
        System.arraycopy(t, 0, out, 1 + q.length, t.length);
        return out;
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> paths = new TreeMap<>();
        for (String p : new String[] {"/cam1/index.m3u8", "/cam1/index.mpd", "/cam1/v/index.m3u8", "/cam1/a/init-3.mp4",
            "/cam1/v/123.m4s", "/cam1/ts/index.m3u8", "/cam1/ts/42.ts", "/cam1/aes/7.ts", "/cam1/aes/key-4.key",
            "/../etc/passwd", "/cam1/../../x", "/cam1/v/%2e%2e/1.m4s", "/cam1/v/0123.m4s", "/cam1/v/99999999999999999999.m4s",
            "/cam1/ts/key-1.key", "/a/b/c/d", "//index.m3u8", "/cam1\\v\\1.m4s"}) {
            paths.put(FuzzSeeds.fileName(p.isEmpty() ? "empty" : p), utf8(p));
        }
        Map<String, byte[]> ranges = new TreeMap<>();
        ranges.put("first_100", range(1000, "bytes=0-99"));
        ranges.put("open_end", range(1000, "bytes=500-"));
        ranges.put("suffix", range(1000, "bytes=-200"));
        ranges.put("beyond", range(1000, "bytes=1000-1001"));
        ranges.put("reversed", range(1000, "bytes=9-3"));
        ranges.put("two_ranges", range(1000, "bytes=0-1,5-6"));
        ranges.put("huge", range(1000, "bytes=0-99999999999999999999"));
        ranges.put("negative", range(1000, "bytes=-0"));
        ranges.put("empty_body", range(0, "bytes=0-0"));
        Map<String, byte[]> queries = new TreeMap<>();
        queries.put("media_playlist", carried("expires=1700000000&sig=2e9fba6b", "#EXTM3U\n#EXT-X-VERSION:7\n"
                + "#EXT-X-MAP:URI=\"init-0.mp4\"\n#EXTINF:2.000,\n12.m4s\n#EXTINF:2.000,\n13.m4s\n"));
        queries.put("aes_playlist", carried("t=\"><script>", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\"\n"
                + "#EXTINF:2.000,\n5.ts\n"));
        queries.put("mpd", carried("a=$Number$&b=<x>", "<MPD><SegmentTemplate timescale=\"90000\" "
                + "initialization=\"v/init-$RepresentationID$.mp4\" media=\"v/$Number$.m4s\"/></MPD>"));
        queries.put("multivariant", carried("q=1\n#EXT-X-ENDLIST", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,URI=\"a/index.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n"));
        return Map.of("path", paths, "range", ranges, "carried", queries);
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        Map<String, Consumer<byte[]>> bodies = Map.of("path", this::path, "range", this::range, "carried", this::carried);
        FuzzSeeds.replay(SEED_DIR, seeds(), bodies, 500);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
