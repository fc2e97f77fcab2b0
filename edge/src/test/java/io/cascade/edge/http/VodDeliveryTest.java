package io.cascade.edge.http;

import io.cascade.media.TrackType;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which paths are VOD requests, and what they ask for: a live stream's routes stay the live ones. */
class VodDeliveryTest {
    private static VodDelivery.Target target(String path) {
        return VodDelivery.target(path, Set.of("vod", "movies")::contains);
    }

    @Test
    void aFilesPathThenAStreamsFileName() {
        VodDelivery.Target t = target("/vod/clip.mp4/index.m3u8");
        assertEquals("clip.mp4", t.path());
        assertEquals(SegmentRequest.Kind.INDEX, t.request().kind());
        t = target("/movies/a/b/clip.mp4/v/12.m4s");
        assertEquals("movies", t.app());
        assertEquals("a/b/clip.mp4", t.path());
        assertEquals(SegmentRequest.Kind.CMAF, t.request().kind());
        assertEquals(TrackType.VIDEO, t.request().track());
        assertEquals(12, t.request().number());
        assertEquals(SegmentRequest.Kind.TS, target("/vod/clip.mp4/ts/3.ts").request().kind());
        assertEquals(SegmentRequest.Kind.MPD, target("/vod/clip.mp4/index.mpd").request().kind());
        assertEquals("v", target("/vod/v/index.m3u8").path(), "a file named v: its own index");
        assertEquals("../x", target("/vod/../x/index.m3u8").path(), "kept as it came: the folders refuse it");
    }

    @Test
    void liveStreamsAndOtherPathsAreNotVod() {
        assertNull(target("/live1/index.m3u8"), "a live stream");
        assertNull(target("/vod/index.m3u8"), "a live stream named vod");
        assertNull(target("/other/clip.mp4/index.m3u8"), "not a VOD application");
        assertNull(target("/vod/clip.mp4/notes.txt"), "no file a stream serves");
        assertNull(target("/vod/clip.mp4"), "no file name after the path");
    }
}
