package io.cascade.edge.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class CarriedQueryTest {
    private static final String Q = "expires=1700000000&sig=2e9fba6b";

    @Test
    void everyUriOfAMediaPlaylistGetsTheQuery() {
        String playlist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MAP:URI=\"init-0.mp4\"\n#EXTINF:2.000,\n12.m4s\n"
                + "#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\"\n#EXTINF:2.000,\n13.ts\n";
        assertEquals("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MAP:URI=\"init-0.mp4?" + Q + "\"\n#EXTINF:2.000,\n12.m4s?" + Q
                + "\n#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key?" + Q + "\"\n#EXTINF:2.000,\n13.ts?" + Q + "\n",
                CarriedQuery.m3u8(playlist, Q));
    }

    @Test
    void aMultivariantPlaylistsRenditionsAndVariantsGetItToo() {
        String index = "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"audio\",URI=\"a/index.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a\"\nv/index.m3u8\n";
        assertEquals("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"audio\",URI=\"a/index.m3u8?" + Q + "\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a\"\nv/index.m3u8?" + Q + "\n",
                CarriedQuery.m3u8(index, Q));
    }

    @Test
    void anMpdsTemplatesGetItXmlEscaped() {
        String mpd = "<SegmentTemplate timescale=\"90000\" initialization=\"v/init-$RepresentationID$.mp4\" "
                + "media=\"v/$Number$.m4s\" startNumber=\"3\"/>";
        assertEquals("<SegmentTemplate timescale=\"90000\" initialization=\"v/init-$RepresentationID$.mp4?expires="
                + "1700000000&amp;sig=2e9fba6b\" media=\"v/$Number$.m4s?expires=1700000000&amp;sig=2e9fba6b\" "
                + "startNumber=\"3\"/>", CarriedQuery.mpd(mpd, Q));
    }

    @Test
    void noQueryChangesNothingAndAHostileOneCannotBreakOut() {
        String playlist = "#EXTM3U\n1.ts\n";
        assertSame(playlist, CarriedQuery.m3u8(playlist, ""));
        assertEquals("", CarriedQuery.safe(null));
        String hostile = CarriedQuery.safe("x=\"\n#EXT-X-ENDLIST\n<a>$Number$");
        assertEquals("x=%22%0A%23EXT-X-ENDLIST%0A%3Ca%3E%24Number%24", hostile);
        assertEquals("#EXTM3U\n1.ts?" + hostile + "\n", CarriedQuery.m3u8(playlist, hostile));
    }
}
