package io.cascade.protocol.rtsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.rtsp.RtspCaptures.Recorder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RtspMessageWriterTest {

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void responseWithoutBody() {
        byte[] out = RtspMessageWriter.response(200, 1, List.of(Map.entry("Public", "OPTIONS, DESCRIBE, SETUP")), null,
                null);
        assertEquals("RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP\r\n\r\n", text(out));
    }

    @Test
    void responseWithBodyGetsContentTypeAndLength() {
        byte[] sdp = "v=0\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] out = RtspMessageWriter.response(200, 2, List.of(Map.entry("Content-Base", "rtsp://h/live/s/")),
                "application/sdp", sdp);
        assertEquals("RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Base: rtsp://h/live/s/\r\nContent-Type: application/sdp\r\n"
                + "Content-Length: 5\r\n\r\nv=0\r\n", text(out));
    }

    @Test
    void errorWithoutCseqAndEmptyBody() {
        assertEquals("RTSP/1.0 400 Bad Request\r\n\r\n", text(RtspMessageWriter.response(400, -1, List.of(),
                "text/plain", new byte[0])));
        assertEquals("RTSP/1.0 414 Request-URI Too Large\r\nCSeq: 0\r\n\r\n",
                text(RtspMessageWriter.response(414, 0, null, null, null)));
    }

    @Test
    void reasonPhrases() {
        Map<Integer, String> expected = Map.ofEntries(Map.entry(200, "OK"), Map.entry(400, "Bad Request"),
                Map.entry(401, "Unauthorized"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
                Map.entry(406, "Not Acceptable"), Map.entry(413, "Request Entity Too Large"),
                Map.entry(414, "Request-URI Too Large"), Map.entry(453, "Not Enough Bandwidth"),
                Map.entry(454, "Session Not Found"), Map.entry(455, "Method Not Valid in This State"),
                Map.entry(459, "Aggregate Operation Not Allowed"), Map.entry(461, "Unsupported Transport"),
                Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
                Map.entry(503, "Service Unavailable"), Map.entry(505, "RTSP Version Not Supported"),
                Map.entry(299, "Success"), Map.entry(499, "Client Error"), Map.entry(599, "Server Error"));
        expected.forEach((status, reason) -> assertEquals(reason, RtspMessageWriter.reason(status), "" + status));
    }

    @Test
    void requestAsAClientSendsItReadsBackTheSame() throws Exception {
        byte[] sdp = "v=0\r\ns=x\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] out = RtspMessageWriter.request("ANNOUNCE", "rtsp://127.0.0.1:5544/live/test", 2,
                List.of(Map.entry("User-Agent", "cascade"), Map.entry("Session", "abc")), "application/sdp", sdp);
        assertEquals("ANNOUNCE rtsp://127.0.0.1:5544/live/test RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: cascade\r\n"
                + "Session: abc\r\nContent-Type: application/sdp\r\nContent-Length: 10\r\n\r\nv=0\r\ns=x\r\n", text(out));
        Recorder r = RtspCaptures.decode(out);
        assertNull(r.error);
        RtspRequest q = r.requests().get(0);
        assertEquals("ANNOUNCE", q.method());
        assertEquals(2, q.cseq());
        assertEquals("abc", q.header("session"));
        assertArrayEquals(sdp, q.body());
    }

    @Test
    void aResponseReadsBackAsWritten() {
        byte[] out = RtspMessageWriter.response(461, 9, RtspHeaders.of("Session", "s1;timeout=60").entries(), null, null);
        RtspResponse p = (RtspResponse) RtspCaptures.decode(out).events.get(0);
        assertEquals(461, p.status());
        assertEquals("Unsupported Transport", p.reason());
        assertEquals(9, p.cseq());
        assertEquals("s1;timeout=60", p.header("Session"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc\r\nX-Injected: 1", "abc\nRTSP/1.0 200 OK", "abc\r", "a\u0000b", "a\u007Fb"})
    void headerValuesThatWouldInjectAreRefused(String value) {
        List<Map.Entry<String, String>> h = List.of(Map.entry("Session", value));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(200, 1, h, null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.request("PLAY", "rtsp://h/a", 1, h, null,
                null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(200, 1, List.of(), value,
                new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> RtspHeaders.of("Session", value));
    }

    @Test
    void echoingWhatTheDecoderReadIsSafe() throws Exception {
        // a value the decoder accepted has no control character, so echoing it cannot inject
        byte[] in = RtspDecoderTest.msg("OPTIONS * RTSP/1.0", "CSeq: 3", "Session: \tabc;timeout=5 ", "X-Note: caf\u00e9");
        RtspRequest q = RtspCaptures.decode(in).requests().get(0);
        byte[] out = RtspMessageWriter.response(200, q.cseq(), q.headers().without("CSeq").entries(), null, null);
        assertEquals("RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: abc;timeout=5\r\nX-Note: caf\u00e9\r\n\r\n", text(out));
    }

    @Test
    void theWriterOwnsCseqAndContentLength() {
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(200, 1,
                List.of(Map.entry("Content-Length", "5")), null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(200, 1,
                List.of(Map.entry("cseq", "1")), null, null));
        assertEquals("RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n", text(RtspMessageWriter.response(200, -1,
                List.of(Map.entry("CSeq", "7")), null, null)));
    }

    @Test
    void badNamesMethodsUrisAndStatusesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(200, 1,
                List.of(Map.entry("Bad Name", "x")), null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(200, 1,
                List.of(Map.entry("X:Y", "x")), null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.response(99, 1, List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.request("PL AY", "*", 1, List.of(), null,
                null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.request("PLAY", "rtsp://h/a b", 1,
                List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.request("PLAY", "rtsp://h/a\r\n", 1,
                List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.request("PLAY", "", 1, List.of(), null,
                null));
    }

    @Test
    void interleavedFrame() {
        byte[] packet = {9, 1, 2, 3, 9};
        assertArrayEquals(new byte[] {'$', 2, 0, 3, 1, 2, 3}, RtspMessageWriter.interleaved(2, packet, 1, 3));
        byte[] header = new byte[6];
        RtspMessageWriter.interleavedHeader(header, 2, 255, 65535);
        assertArrayEquals(new byte[] {0, 0, '$', (byte) 255, (byte) 0xFF, (byte) 0xFF}, header);
        assertThrows(IndexOutOfBoundsException.class, () -> RtspMessageWriter.interleaved(0, packet, 3, 3));
    }
}
