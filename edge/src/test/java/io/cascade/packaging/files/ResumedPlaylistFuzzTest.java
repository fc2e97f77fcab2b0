package io.cascade.packaging.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.files.ConfinedPath;
import io.cascade.protocol.hls.HlsPlaylist;
import io.cascade.testing.FuzzSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An earlier run's playlist as hlsResume reads it back ({@link ResumedPlaylist}), fuzzed: it is a file anyone with
 * access to the output's folder could have written.
 *
 * <ul>
 *   <li>Reading never throws but an IllegalArgumentException, whose reason is one printable line of bounded length
 *   (it is answered to the API and logged).</li>
 *   <li>Every segment kept is a plain .ts file name directly in the folder: no '/', no '\', not a dot segment.</li>
 *   <li>Sequence numbers run on by one from the media sequence (past any dropped), never below 0 nor past 2^53;
 *   discontinuity numbers never go down, and go up exactly at the segments marked as discontinuities.</li>
 *   <li>Durations are between 0 and an hour; at most {@link ResumedPlaylist#MAX_SEGMENTS} segments are kept; a key
 *   URI is one printable line piece that a quoted attribute can hold again.</li>
 *   <li>The playlist a file output writes from the kept segments reads back as the same segments (resuming twice
 *   keeps what resuming once kept).</li>
 * </ul>
 * Seeds: playlists as a file output writes them (rolling and appending, with and without AES-128 and discontinuities),
 * URIs that lead elsewhere, and each way the old reading crashed or listed nonsense. {@code JAZZER_FUZZ=1 mvn verify
 * -Dtest=ResumedPlaylistFuzzTest -Dsurefire.failIfNoSpecifiedTests=false} (from the repository root) fuzzes.
 */
class ResumedPlaylistFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/packaging/files/ResumedPlaylistFuzzTestInputs");
    /** A reason: "line N (" + at most 103 characters of the line + "): " + why. */
    private static final int MAX_REASON_CHARS = 300;

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] data) {
        ResumedPlaylist p;
        try {
            p = ResumedPlaylist.parse(data);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            assertNotNull(why);
            assertTrue(!why.isEmpty() && why.length() <= MAX_REASON_CHARS && printable(why), why);
            return;
        }
        List<HlsPlaylist.Segment> segments = p.segments();
        assertTrue(segments.size() <= ResumedPlaylist.MAX_SEGMENTS, "kept " + segments.size());
        assertTrue(p.dropped() >= 0 && p.ignored() >= 0, p.toString());
        assertEquals(p.ignored() == 0, p.firstIgnored() == null, p.toString());
        if (p.firstIgnored() != null) {
            assertTrue(p.firstIgnored().length() <= 103 && printable(p.firstIgnored()), p.firstIgnored());
        }
        assertTrue(0 <= p.mediaSequence() && p.nextSequence() <= ResumedPlaylist.MAX_SEQUENCE, p.toString());
        assertEquals(p.nextSequence(), p.mediaSequence() + p.dropped() + segments.size(), p.toString());
        assertTrue(0 <= p.discontinuities() && p.discontinuities() <= ResumedPlaylist.MAX_SEQUENCE, p.toString());
        long discontinuities = segments.isEmpty() ? p.discontinuities() : segments.get(0).discontinuitySequence();
        for (int i = 0; i < segments.size(); i++) {
            HlsPlaylist.Segment s = segments.get(i);
            String uri = s.uri();
            assertTrue(uri.endsWith(".ts") && ConfinedPath.isName(uri), uri);
            assertTrue(uri.indexOf('/') < 0 && uri.indexOf('\\') < 0 && !uri.equals(".") && !uri.equals(".."), uri);
            assertEquals(Path.of(uri).getFileName().toString(), uri);
            assertEquals(p.mediaSequence() + p.dropped() + i, s.sequence(), uri);
            assertTrue(0 <= s.durationMillis() && s.durationMillis() <= ResumedPlaylist.MAX_SEGMENT_MILLIS, s.toString());
            if (i > 0) {
                discontinuities += s.discontinuity() ? 1 : 0;
            }
            assertEquals(discontinuities, s.discontinuitySequence(), s.toString());
            assertTrue(s.mapUri() == null && s.programDateTimeMillis() == 0, s.toString());
            if (s.keyUri() != null) {
                String key = s.keyUri();
                assertTrue(!key.isEmpty() && key.length() <= ResumedPlaylist.MAX_KEY_URI_CHARS && key.indexOf('"') < 0
                        && key.chars().noneMatch(c -> c < 0x20 || c == 0x7f), key);
            }
        }
        assertEquals(discontinuities, p.discontinuities(), p.toString());
        // what a file output writes from them (appending: every segment kept) reads back as the same segments
        String again = HlsPlaylist.media(HlsPlaylist.TS_VERSION, HlsPlaylist.Type.EVENT, 0, segments, false);
        List<HlsPlaylist.Segment> reread = ResumedPlaylist.parse(again).segments();
        assertEquals(firstWithoutItsMark(segments), firstWithoutItsMark(reread), again);
    }

    /** The first segment listed has no discontinuity mark a playlist can give (only its number says it). */
    private static List<HlsPlaylist.Segment> firstWithoutItsMark(List<HlsPlaylist.Segment> segments) {
        List<HlsPlaylist.Segment> out = new ArrayList<>(segments);
        if (!out.isEmpty()) {
            HlsPlaylist.Segment s = out.get(0);
            out.set(0, new HlsPlaylist.Segment(s.sequence(), s.uri(), s.durationMillis(), false, s.discontinuitySequence(),
                    s.mapUri(), s.programDateTimeMillis(), s.keyUri()));
        }
        return out;
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A playlist as a file output writes it: {@code count} segments from {@code first}, as writeHls lists them. */
    private static String written(HlsPlaylist.Type type, long first, int count, boolean aes, int discontinuityEvery) {
        List<HlsPlaylist.Segment> segments = new ArrayList<>();
        long discontinuities = 4;
        for (int i = 0; i < count; i++) {
            long sequence = first + i;
            boolean discontinuity = i > 0 && discontinuityEvery > 0 && i % discontinuityEvery == 0;
            discontinuities += discontinuity ? 1 : 0;
            segments.add(new HlsPlaylist.Segment(sequence, (100 + i * 3) + ".ts", 1960 + 40 * (i % 3), discontinuity,
                    discontinuities, null, 0, aes ? "key-" + sequence / 5 + ".key" : null));
        }
        return HlsPlaylist.media(HlsPlaylist.TS_VERSION, type, 0, segments, false);
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, String> s = new TreeMap<>();
        s.put("rolling", written(HlsPlaylist.Type.LIVE, 31, 5, false, 0));
        s.put("rolling_aes", written(HlsPlaylist.Type.LIVE, 31, 5, true, 0));
        s.put("appending_discontinuities", written(HlsPlaylist.Type.EVENT, 0, 12, false, 4));
        s.put("appending_aes_discontinuities", written(HlsPlaylist.Type.EVENT, 3, 12, true, 5));
        s.put("crlf", written(HlsPlaylist.Type.LIVE, 8, 3, true, 2).replace("\n", "\r\n"));
        s.put("empty", "");
        s.put("header_only", "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:9\n");
        s.put("traversal_uris", "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n#EXTINF:1.000,\n3.ts\n#EXTINF:1.000,\n../x.ts\n"
                + "#EXTINF:1.000,\n/abs.ts\n#EXTINF:1.000,\nhttp://h/x.ts\n#EXTINF:1.000,\nsub/x.ts\n#EXTINF:1.000,\n"
                + "..\\x.ts\n#EXTINF:1.000,\n%2e%2e/x.ts\n#EXTINF:1.000,\nx.ts\r\r\n#EXTINF:1.000,\nC:x.ts\n"
                + "#EXTINF:1.000,\n4.ts\n");
        s.put("long_media_sequence", "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999999\n#EXTINF:1.000,\n1.ts\n");
        s.put("media_sequence_past_2_53", "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:9007199254740992\n#EXTINF:1.000,\n1.ts\n");
        s.put("negative_media_sequence", "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-5\n#EXTINF:1.000,\n1.ts\n");
        s.put("long_discontinuity_sequence", "#EXTM3U\n#EXT-X-DISCONTINUITY-SEQUENCE:18446744073709551616\n"
                + "#EXTINF:1.000,\n1.ts\n");
        s.put("media_sequence_after_segment", "#EXTM3U\n#EXTINF:1.000,\n1.ts\n#EXT-X-MEDIA-SEQUENCE:7\n");
        s.put("bad_extinf", "#EXTM3U\n#EXTINF:two seconds,\n1.ts\n");
        s.put("nan_extinf", "#EXTM3U\n#EXTINF:NaN,\n1.ts\n");
        s.put("negative_extinf", "#EXTM3U\n#EXTINF:-2.000,\n1.ts\n");
        s.put("huge_extinf", "#EXTM3U\n#EXTINF:1e308,\n1.ts\n#EXTINF:99999999999999999999,\n2.ts\n");
        s.put("infinite_extinf", "#EXTM3U\n#EXTINF:Infinity,\n1.ts\n");
        s.put("extinf_without_comma", "#EXTM3U\n#EXTINF:2.5\n1.ts\n#EXTINF:\n2.ts\n");
        s.put("unclosed_key_uri", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\n#EXTINF:1.000,\n1.ts\n");
        s.put("key_method_none", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\"\n#EXTINF:1.000,\n1.ts\n"
                + "#EXT-X-KEY:METHOD=NONE\n#EXTINF:1.000,\n2.ts\n");
        s.put("key_oddities", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"a,b\",KEYFORMAT=\"identity\"\n#EXTINF:1,\n1.ts\n"
                + "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x01\n"
                + "#EXT-X-KEY:URI=\"k\"x,METHOD\n");
        s.put("discontinuities", "#EXTM3U\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\n1.ts\n"
                + "#EXT-X-DISCONTINUITY\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\n../x.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\n2.ts\n"
                + "#EXT-X-DISCONTINUITY\n");
        StringBuilder many = new StringBuilder("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n");
        for (int i = 0; i < 300; i++) {
            many.append("#EXTINF:0.001,\n").append(i % 7 == 0 ? "../" : "").append(i).append(".ts\n");
        }
        s.put("many_segments", many.toString());
        Map<String, byte[]> bytes = new TreeMap<>();
        s.forEach((name, text) -> bytes.put(name, utf8(text)));
        bytes.put("not_utf8", new byte[] {'#', 'E', 'X', 'T', 'M', '3', 'U', '\n', (byte) 0xC3, '(', '.', 't', 's', '\n'});
        return Map.of("parse", bytes);
    }

    @Test
    void fuzzBodyAcceptsEverySeedTruncationAndMutant() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("parse", this::parse), 500);
        Random random = new Random(7);
        for (byte[] seed : seeds().get("parse").values()) {
            FuzzSeeds.mutate(seed, random, 200, this::parse);
        }
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
