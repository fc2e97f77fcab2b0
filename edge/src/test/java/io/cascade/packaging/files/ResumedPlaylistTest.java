package io.cascade.packaging.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.hls.HlsPlaylist;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What hlsResume keeps of an earlier run's playlist, and why it refuses one. */
class ResumedPlaylistTest {
    /** A playlist as a file output writes it: AES-128, a discontinuity, an event playlist. */
    static String written() {
        List<HlsPlaylist.Segment> segments = List.of(
                new HlsPlaylist.Segment(7, "10.ts", 2000, false, 3, null, 0, "key-2.key"),
                new HlsPlaylist.Segment(8, "11.ts", 1960, false, 3, null, 0, "key-2.key"),
                new HlsPlaylist.Segment(9, "40.ts", 2040, true, 4, null, 0, "key-3.key"));
        return HlsPlaylist.media(HlsPlaylist.TS_VERSION, HlsPlaylist.Type.EVENT, 0, segments, false);
    }

    @Test
    void aPlaylistAFileOutputWroteIsKeptAsItWas() {
        ResumedPlaylist p = ResumedPlaylist.parse(written());
        assertEquals(7, p.mediaSequence());
        assertEquals(10, p.nextSequence());
        assertEquals(4, p.discontinuities());
        assertEquals(List.of(new HlsPlaylist.Segment(7, "10.ts", 2000, false, 3, null, 0, "key-2.key"),
                new HlsPlaylist.Segment(8, "11.ts", 1960, false, 3, null, 0, "key-2.key"),
                new HlsPlaylist.Segment(9, "40.ts", 2040, true, 4, null, 0, "key-3.key")), p.segments());
        assertEquals(0, p.ignored());
        assertNull(p.firstIgnored());
        assertEquals(p, ResumedPlaylist.parse(written().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void urisThatAreNotPlainSegmentNamesTakeNoNumber() {
        ResumedPlaylist p = ResumedPlaylist.parse("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:5\n#EXTINF:1.5,\n1.ts\n"
                + "#EXTINF:1,\n../x.ts\n#EXTINF:1,\n/abs.ts\n#EXTINF:1,\nhttp://h/x.ts\n#EXTINF:1,\nsub/x.ts\n"
                + "#EXTINF:1,\n..\\x.ts\n#EXTINF:1,\nx.ts\r\r\n#EXTINF:2.25,\n2.ts\n");
        assertEquals(List.of("1.ts", "2.ts"), p.segments().stream().map(HlsPlaylist.Segment::uri).toList());
        assertEquals(List.of(5L, 6L), p.segments().stream().map(HlsPlaylist.Segment::sequence).toList());
        assertEquals(List.of(1500L, 2250L), p.segments().stream().map(HlsPlaylist.Segment::durationMillis).toList());
        assertEquals(7, p.nextSequence());
        assertEquals(6, p.ignored());
        assertEquals("../x.ts", p.firstIgnored());
    }

    @Test
    void discontinuitiesAreCountedAsThePlaylistWrittenAgainGivesThem() {
        ResumedPlaylist p = ResumedPlaylist.parse("#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXTINF:1,\n1.ts\n"
                + "#EXT-X-DISCONTINUITY\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\n../gone.ts\n#EXT-X-DISCONTINUITY\n"
                + "#EXTINF:1,\n2.ts\n#EXT-X-DISCONTINUITY\n");
        assertEquals(List.of(2L, 3L), p.segments().stream().map(HlsPlaylist.Segment::discontinuitySequence).toList());
        assertTrue(p.segments().get(1).discontinuity());
        assertEquals(3, p.discontinuities());
    }

    @Test
    void methodNoneEndsTheKey() {
        ResumedPlaylist p = ResumedPlaylist.parse("#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\"\n#EXTINF:1,\n1.ts\n"
                + "#EXT-X-KEY:METHOD=NONE\n#EXTINF:1,\n2.ts\n");
        assertEquals("key-1.key", p.segments().get(0).keyUri());
        assertNull(p.segments().get(1).keyUri());
    }

    @Test
    void onlyTheNewestSegmentsAreKept() {
        StringBuilder text = new StringBuilder("#EXT-X-MEDIA-SEQUENCE:100\n");
        int listed = ResumedPlaylist.MAX_SEGMENTS + 5;
        for (int i = 0; i < listed; i++) {
            text.append("#EXTINF:2.000,\n").append(i).append(".ts\n");
        }
        ResumedPlaylist p = ResumedPlaylist.parse(text.toString());
        assertEquals(ResumedPlaylist.MAX_SEGMENTS, p.segments().size());
        assertEquals(5, p.dropped());
        assertEquals("5.ts", p.segments().get(0).uri());
        assertEquals(105, p.segments().get(0).sequence());
        assertEquals(100 + listed, p.nextSequence());
    }

    /** The largest playlists read, made of what costs most per byte: each is read in a time linear in its size. */
    @Test
    void theLargestPlaylistsAreReadInBoundedTimeAndMemory() {
        int size = ResumedPlaylist.MAX_BYTES;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            ResumedPlaylist segments = ResumedPlaylist.parse(fill("#EXTINF:1,\n1.ts\n", size));
            assertEquals(ResumedPlaylist.MAX_SEGMENTS, segments.segments().size());
            assertEquals(size / 16, segments.nextSequence());
            assertEquals(size / 8, ResumedPlaylist.parse(fill("../x.ts\n", size)).ignored());
            assertEquals(0, ResumedPlaylist.parse(fill("\n", size)).segments().size());
            assertEquals(0, ResumedPlaylist.parse(fill("#EXT-X-DISCONTINUITY\n", size)).discontinuities());
            assertEquals(0, ResumedPlaylist.parse("#EXT-X-KEY:METHOD=AES-128,URI=\"k\"," + fill("a=b,", size - 40))
                    .segments().size());
            assertThrows(IllegalArgumentException.class, () -> ResumedPlaylist.parse("#EXT-X-KEY:" + fill("a=\"b\"", size - 20)));
            assertThrows(IllegalArgumentException.class, () -> ResumedPlaylist.parse("#EXTINF:" + fill("1", size - 10)));
        });
    }

    private static String fill(String unit, int size) {
        return unit.repeat(size / unit.length());
    }

    @Test
    void whatCannotBeContinuedIsRefusedSayingWhy() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"#EXT-X-MEDIA-SEQUENCE:99999999999999999999999\n", "line 1 (#EXT-X-MEDIA-SEQUENCE:9999"});
        cases.add(new String[] {"#EXT-X-MEDIA-SEQUENCE:9007199254740993\n", "not a decimal number from 0 to 9007199254740992"});
        cases.add(new String[] {"#EXT-X-MEDIA-SEQUENCE:-1\n", "not a decimal number"});
        cases.add(new String[] {"#EXT-X-DISCONTINUITY-SEQUENCE:1e9\n", "not a decimal number"});
        cases.add(new String[] {"#EXT-X-MEDIA-SEQUENCE:9007199254740992\n#EXTINF:1,\n1.ts\n", "run past 9007199254740992"});
        cases.add(new String[] {"#EXTINF:1,\n1.ts\n#EXT-X-MEDIA-SEQUENCE:4\n", "after the first segment"});
        cases.add(new String[] {"#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-MEDIA-SEQUENCE:2\n", "a second media sequence"});
        cases.add(new String[] {"#EXTINF:abc,\n1.ts\n", "line 1 (#EXTINF:abc,): the duration is not a decimal number"});
        cases.add(new String[] {"#EXTINF:NaN,\n1.ts\n", "not a decimal number"});
        cases.add(new String[] {"#EXTINF:-2.0,\n1.ts\n", "not a decimal number"});
        cases.add(new String[] {"#EXTINF:Infinity,\n1.ts\n", "not a decimal number"});
        cases.add(new String[] {"#EXTINF:1e308,\n1.ts\n", "not a decimal number"});
        cases.add(new String[] {"#EXTINF:3600.001,\n1.ts\n", "longer than 3600 s"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\n", "line 1 (#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key): a quoted value without its closing quote"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=AES-128\n", "a key URI that is missing"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n", "a key method other than NONE or AES-128"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x1\n", "a key with an IV"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=AES-128,URI=\"k\u0001\"\n", "a key URI with a control character"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=AES-128,URI=k\",IV=\"0x1\n", "a quote in a value that is not quoted"});
        cases.add(new String[] {"#EXT-X-KEY:METHOD=AES-128,URI=\"" + "k".repeat(1025) + "\"\n", "longer than 1024"});
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResumedPlaylist.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        IllegalArgumentException notUtf8 = assertThrows(IllegalArgumentException.class,
                () -> ResumedPlaylist.parse(new byte[] {'#', (byte) 0xff, '\n'}));
        assertEquals("it is not UTF-8 text", notUtf8.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> ResumedPlaylist.parse(new byte[ResumedPlaylist.MAX_BYTES + 1]));
        assertTrue(big.getMessage().startsWith((ResumedPlaylist.MAX_BYTES + 1) + " bytes: more than"), big.getMessage());
    }
}
