package io.cascade.protocol.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RtspUrlTest {

    @Test
    void absoluteWithPortAndTrack() throws Exception {
        RtspUrl u = RtspUrl.parse("rtsp://127.0.0.1:5544/live/trackID=1");
        assertEquals(new RtspUrl("127.0.0.1", 5544, List.of("live", "trackID=1"), ""), u);
        assertEquals("trackID=1", u.last());
    }

    @Test
    void queryHostWithoutPortRtspsAndTrailingSlash() throws Exception {
        assertEquals(new RtspUrl("h", 8554, List.of("a", "b"), "x=1&y"), RtspUrl.parse("rtsp://h:8554/a/b?x=1&y"));
        assertEquals(new RtspUrl("cam.example", -1, List.of("live", "s"), ""), RtspUrl.parse("rtsps://cam.example/live/s/"));
        assertEquals(new RtspUrl("H", -1, List.of(), ""), RtspUrl.parse("RTSP://H"));
        assertEquals(new RtspUrl("h", -1, List.of(), ""), RtspUrl.parse("rtsp://h:/"));
        assertEquals(new RtspUrl("h", -1, List.of("a"), "q"), RtspUrl.parse("rtsp://h/a?q#frag"));
    }

    @Test
    void barePathStarAndEmptySegments() throws Exception {
        assertEquals(new RtspUrl("", -1, List.of("ts", "name"), ""), RtspUrl.parse("/ts/name"));
        assertEquals(new RtspUrl("", -1, List.of(), ""), RtspUrl.parse("*"));
        assertEquals("", RtspUrl.parse("*").last());
        assertEquals(List.of("a", "b"), RtspUrl.parse("//a//b/").path());
    }

    @Test
    void userinfoIsDroppedAndIpv6LosesItsBrackets() throws Exception {
        assertEquals(new RtspUrl("10.0.0.2", 554, List.of("Streaming", "Channels", "101"), ""),
                RtspUrl.parse("rtsp://admin:secret@10.0.0.2:554/Streaming/Channels/101"));
        assertEquals(new RtspUrl("::1", 5544, List.of("live"), ""), RtspUrl.parse("rtsp://[::1]:5544/live"));
        assertEquals(new RtspUrl("fe80::1%25eth0", -1, List.of(), ""), RtspUrl.parse("rtsp://[fe80::1%25eth0]"));
    }

    @Test
    void segmentsArePercentDecoded() throws Exception {
        assertEquals(List.of("live", "my cam", "caf\u00e9", "a+b", "%"),
                RtspUrl.parse("/live/my%20cam/caf%C3%A9/a+b/%25").path());
        assertEquals(List.of("live", "caf\u00e9"), RtspUrl.parse("rtsp://h/live/caf\u00e9").path());
        assertEquals("a%2Fb=c", RtspUrl.parse("/x?a%2Fb=c").query());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/live/%2e%2e/etc", "/live/..", "/live/./x", "/%2E", "/live/a%2Fb", "/live/a%2fb",
        "/live/a%00b", "/a%5Cb", "/a%0d%0aX", "/a%zz", "/a%4", "/a%", "/a%C3", "/a%FF", "http://h/a", "live/a",
        "rtsp:///a", "rtsp://h:70000/a", "rtsp://h:x/a", "rtsp://[::1/a", "rtsp://[]/a", "rtsp://[::1]x/a",
        "rtsp://h\u0001/a", "/a b", "/a\tb", "", "rtsp://user@/a", "rtsp://h<>/a"})
    void unsafeOrMalformedGives400(String uri) {
        assertEquals(400, assertThrows(RtspException.class, () -> RtspUrl.parse(uri)).status());
    }

    @Test
    void limits() throws Exception {
        assertEquals(414, assertThrows(RtspException.class,
                () -> RtspUrl.parse("/" + "a".repeat(RtspUrl.MAX_LENGTH))).status());
        assertEquals(RtspUrl.MAX_LENGTH, RtspUrl.parse("/" + "a".repeat(RtspUrl.MAX_LENGTH - 1)).last().length() + 1);
        assertEquals(RtspUrl.MAX_SEGMENTS, RtspUrl.parse("/a".repeat(RtspUrl.MAX_SEGMENTS)).path().size());
        assertEquals(400, assertThrows(RtspException.class,
                () -> RtspUrl.parse("/a".repeat(RtspUrl.MAX_SEGMENTS + 1))).status());
    }
}
