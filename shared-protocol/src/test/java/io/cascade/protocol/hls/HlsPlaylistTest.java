package io.cascade.protocol.hls;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HlsPlaylistTest {
    private static final long T0 = 1_795_000_000_000L; // 2026-11-18T11:06:40Z

    @Test
    void liveCmafPlaylistWithADiscontinuity() {
        List<HlsPlaylist.Segment> segments = List.of(
                new HlsPlaylist.Segment(7, "7.m4s", 2000, false, 0, "init-0.mp4", T0, null),
                new HlsPlaylist.Segment(8, "8.m4s", 1960, false, 0, "init-0.mp4", T0 + 2000, null),
                new HlsPlaylist.Segment(9, "9.m4s", 2500, true, 1, "init-1.mp4", T0 + 60_000, null));
        String expected = """
                #EXTM3U
                #EXT-X-VERSION:7
                #EXT-X-TARGETDURATION:3
                #EXT-X-MEDIA-SEQUENCE:7
                #EXT-X-DISCONTINUITY-SEQUENCE:0
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-MAP:URI="init-0.mp4"
                #EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:40.000Z
                #EXTINF:2.000,
                7.m4s
                #EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:06:42.000Z
                #EXTINF:1.960,
                8.m4s
                #EXT-X-DISCONTINUITY
                #EXT-X-MAP:URI="init-1.mp4"
                #EXT-X-PROGRAM-DATE-TIME:2026-11-18T11:07:40.000Z
                #EXTINF:2.500,
                9.m4s
                """;
        assertEquals(expected, HlsPlaylist.media(HlsPlaylist.FMP4_VERSION, HlsPlaylist.Type.LIVE, 2000, segments, false));
    }

    @Test
    void aDiscontinuityAtTheTopIsCountedInTheSequenceNotWritten() {
        List<HlsPlaylist.Segment> segments = List.of(
                new HlsPlaylist.Segment(9, "9.ts", 2000, true, 1, null, 0, "key-4.key"),
                new HlsPlaylist.Segment(10, "10.ts", 2000, false, 1, null, 0, "key-0.key"));
        String expected = """
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXT-X-PLAYLIST-TYPE:EVENT
                #EXT-X-MEDIA-SEQUENCE:9
                #EXT-X-DISCONTINUITY-SEQUENCE:1
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-KEY:METHOD=AES-128,URI="key-4.key"
                #EXTINF:2.000,
                9.ts
                #EXT-X-KEY:METHOD=AES-128,URI="key-0.key"
                #EXTINF:2.000,
                10.ts
                #EXT-X-ENDLIST
                """;
        assertEquals(expected, HlsPlaylist.media(HlsPlaylist.TS_VERSION, HlsPlaylist.Type.EVENT, 2000, segments, true));
    }

    @Test
    void clearSegmentsAfterEncryptedOnesEndTheKey() {
        List<HlsPlaylist.Segment> segments = List.of(
                new HlsPlaylist.Segment(3, "3.ts", 2000, false, 0, null, 0, null),
                new HlsPlaylist.Segment(4, "4.ts", 2000, false, 0, null, 0, "key-1.key"),
                new HlsPlaylist.Segment(5, "5.ts", 2000, true, 1, null, 0, null),
                new HlsPlaylist.Segment(6, "6.ts", 2000, false, 1, null, 0, null));
        String expected = """
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXT-X-MEDIA-SEQUENCE:3
                #EXT-X-DISCONTINUITY-SEQUENCE:0
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXTINF:2.000,
                3.ts
                #EXT-X-KEY:METHOD=AES-128,URI="key-1.key"
                #EXTINF:2.000,
                4.ts
                #EXT-X-DISCONTINUITY
                #EXT-X-KEY:METHOD=NONE
                #EXTINF:2.000,
                5.ts
                #EXTINF:2.000,
                6.ts
                """;
        assertEquals(expected, HlsPlaylist.media(HlsPlaylist.TS_VERSION, HlsPlaylist.Type.LIVE, 2000, segments, false));
    }

    @Test
    void multivariantWithAnAudioRendition() {
        String expected = """
                #EXTM3U
                #EXT-X-VERSION:7
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="a/index.m3u8"
                #EXT-X-STREAM-INF:BANDWIDTH=1700000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,AUDIO="audio"
                v/index.m3u8
                #EXT-X-STREAM-INF:BANDWIDTH=130000,CODECS="mp4a.40.2"
                a/index.m3u8
                """;
        assertEquals(expected, HlsPlaylist.multivariant(
                List.of(new HlsPlaylist.AudioRendition("audio", "audio", 2, "a/index.m3u8")),
                List.of(new HlsPlaylist.Variant("v/index.m3u8", 1_700_000, "avc1.64001e,mp4a.40.2", 640, 360, "audio"),
                        new HlsPlaylist.Variant("a/index.m3u8", 130_000, "mp4a.40.2", 0, 0, null))));
    }

    @Test
    void secondsAreExactDecimals() {
        assertEquals("0.001", HlsPlaylist.seconds(1));
        assertEquals("1.999", HlsPlaylist.seconds(1999));
        assertEquals("3600.000", HlsPlaylist.seconds(3_600_000));
    }
}
