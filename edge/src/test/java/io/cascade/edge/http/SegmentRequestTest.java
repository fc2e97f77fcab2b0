package io.cascade.edge.http;

import io.cascade.media.TrackType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SegmentRequestTest {
    @Test
    void everyFileAStreamServes() {
        assertEquals(new SegmentRequest("live-1", SegmentRequest.Kind.INDEX, null, 0), SegmentRequest.parse("/live-1/index.m3u8"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.MPD, null, 0), SegmentRequest.parse("/s/index.mpd"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.MEDIA_PLAYLIST, TrackType.AUDIO, 0), SegmentRequest.parse("/s/a/index.m3u8"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.INIT, TrackType.VIDEO, 3), SegmentRequest.parse("/s/v/init-3.mp4"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.CMAF, TrackType.VIDEO, 120), SegmentRequest.parse("/s/v/120.m4s"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.TS_PLAYLIST, null, 0), SegmentRequest.parse("/s/ts/index.m3u8"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.TS, null, 0), SegmentRequest.parse("/s/ts/0.ts"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.AES_PLAYLIST, null, 0), SegmentRequest.parse("/s/aes/index.m3u8"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.AES_SEGMENT, null, 9), SegmentRequest.parse("/s/aes/9.ts"));
        assertEquals(new SegmentRequest("s", SegmentRequest.Kind.AES_KEY, null, 4), SegmentRequest.parse("/s/aes/key-4.key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/s/../../etc/passwd", "/%2e%2e/index.m3u8", "/s/%2e%2e/index.m3u8",
            "/./index.m3u8", "/../index.m3u8", "/s//index.m3u8", "//etc/passwd", "/s/v/../../x", "/s/v/-1.m4s",
            "/s/v/01.m4s", "/s/v/99999999999999999999.m4s", "/s/ts/key-1.key", "/s/x/index.m3u8", "/s/index.m3u8x",
            "/s/v/index.m3u8/", "/s", "/", "", "/s/etc/passwd", "/C:\\windows/index.m3u8", "/s/v/1.m4s?x",
            "/s%00/index.m3u8", "/s/v/init-.mp4"})
    void nothingElseIsReachable(String path) {
        assertNull(SegmentRequest.parse(path), path);
    }

    @Test
    void byteRanges() {
        assertArrayEquals(new long[] {0, 99}, ByteRange.parse("bytes=0-99", 1000));
        assertArrayEquals(new long[] {900, 999}, ByteRange.parse("bytes=900-", 1000));
        assertArrayEquals(new long[] {990, 999}, ByteRange.parse("bytes=-10", 1000));
        assertArrayEquals(new long[] {500, 999}, ByteRange.parse("bytes=500-5000", 1000));
        assertNull(ByteRange.parse("bytes=1000-", 1000), "starts past the end: 416");
        assertNull(ByteRange.parse("bytes=5-3", 1000));
        assertArrayEquals(new long[0], ByteRange.parse("bytes=0-1,5-6", 1000), "several ranges: the whole body");
        assertArrayEquals(new long[0], ByteRange.parse("items=0-1", 1000));
        assertArrayEquals(new long[0], ByteRange.parse("bytes=x-y", 1000));
    }
}
