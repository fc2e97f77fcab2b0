package io.cascade.protocol.rtsp;

import static io.cascade.protocol.rtsp.RtspCaptures.decode;
import static io.cascade.protocol.rtsp.RtspCaptures.decodeBytewise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.rtp.RtpPacket;
import io.cascade.protocol.rtsp.RtspCaptures.Frame;
import io.cascade.protocol.rtsp.RtspCaptures.Recorder;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SessionDescription;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RtspDecoderTest {

    /** A message from lines: each gets CRLF, then the empty line. */
    static byte[] msg(String... lines) {
        return (String.join("\r\n", lines) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> methods(Recorder r) {
        return r.requests().stream().map(RtspRequest::method).toList();
    }

    private static Recorder clean(String capture) {
        Recorder r = decode(RtspCaptures.bytes(capture));
        assertNull(r.error, capture + ": " + r.error);
        return r;
    }

    // --- real clients -------------------------------------------------------------------------------------------------

    @Test
    void ffmpegPublishingOverTcpInterleavesRtpBetweenRecordAndTeardown() throws Exception {
        Recorder r = clean("ffpub_tcp.bin");
        assertEquals(List.of("OPTIONS", "ANNOUNCE", "SETUP", "SETUP", "RECORD", "TEARDOWN"), methods(r));
        List<RtspRequest> q = r.requests();
        for (int i = 0; i < q.size(); i++) {
            assertEquals(i + 1, q.get(i).cseq());
            assertEquals("Lavf59.27.100", q.get(i).header("user-agent"));
        }
        RtspRequest announce = q.get(1);
        assertEquals("rtsp://127.0.0.1:5544/live/test", announce.uri());
        assertEquals("application/sdp", announce.header("Content-Type"));
        assertEquals(Integer.parseInt(announce.header("Content-Length")), announce.body().length);
        assertEquals(2, SessionDescription.parse(announce.body()).media().size());
        TransportSpec video = TransportSpec.parseAll(q.get(2).header("Transport")).get(0);
        assertTrue(video.tcp() && video.record());
        assertArrayEquals(new int[] {0, 1}, video.interleaved());
        assertArrayEquals(new int[] {2, 3}, TransportSpec.parseAll(q.get(3).header("Transport")).get(0).interleaved());
        assertEquals(List.of("live", "test", "streamid=1"), RtspUrl.parse(q.get(3).uri()).path());
        assertEquals("npt=0.000-", q.get(4).header("Range"));
        assertEquals("12345678", q.get(4).header("Session"));

        // every frame lies between RECORD and TEARDOWN, RTP on the even channels, RTCP on the odd ones
        int record = r.events.indexOf(q.get(4));
        int teardown = r.events.indexOf(q.get(5));
        assertEquals(r.events.size() - 1, teardown);
        List<Frame> frames = r.frames();
        assertEquals(teardown - record - 1, frames.size());
        assertEquals(16, frames.size());
        for (Frame f : frames) {
            assertTrue(f.channel() >= 0 && f.channel() <= 3, "channel " + f.channel());
            if (f.channel() % 2 == 0) {
                RtpPacket p = RtpPacket.parse(f.data());
                assertEquals(f.channel() == 0 ? 96 : 0, p.payloadType());
            } else {
                assertEquals(2, (f.data()[0] & 0xFF) >> 6, "RTCP version");
                assertEquals(200, f.data()[1] & 0xFF, "sender report first");
            }
        }
    }

    @Test
    void ffmpegPublishingOverUdpAsksForClientPorts() throws Exception {
        Recorder r = clean("ffpub_udp.bin");
        assertEquals(List.of("OPTIONS", "ANNOUNCE", "SETUP", "RECORD", "TEARDOWN"), methods(r));
        TransportSpec t = TransportSpec.parseAll(r.requests().get(2).header("Transport")).get(0);
        assertEquals("RTP/AVP", t.protocol());
        assertEquals(10182, t.clientPort()[0]);
        assertEquals("RECORD", t.mode());
        assertTrue(r.frames().isEmpty());
    }

    @Test
    void ffmpegPlaying() throws Exception {
        for (String capture : List.of("ffplay_tcp.bin", "ffplay_udp.bin")) {
            Recorder r = clean(capture);
            assertEquals(List.of("OPTIONS", "DESCRIBE", "SETUP", "SETUP", "PLAY", "TEARDOWN"), methods(r), capture);
            RtspRequest describe = r.requests().get(1);
            assertEquals("application/sdp", describe.header("Accept"));
            assertEquals(0, describe.body().length);
            RtspRequest play = r.requests().get(4);
            assertEquals("npt=0.000-", play.header("range"));
            assertEquals("rtsp://127.0.0.1:5544/live/test/", play.uri());
            assertEquals("test", RtspUrl.parse(play.uri()).last());
            TransportSpec t = TransportSpec.parseAll(r.requests().get(2).header("Transport")).get(0);
            assertEquals(capture.contains("tcp"), t.tcp());
            assertEquals("PLAY", t.effectiveMode());
        }
    }

    @Test
    void gstreamerPlaying() throws Exception {
        Recorder tcp = clean("gstplay_tcp.bin");
        assertEquals(List.of("OPTIONS", "DESCRIBE", "SETUP", "SETUP", "PLAY"), methods(tcp));
        RtspRequest options = tcp.requests().get(0);
        // rtspsrc's OPTIONS carries RealMedia headers, User-Agent twice
        assertEquals(List.of("GStreamer/1.22.0", "RealMedia Player Version 6.0.9.1235 (linux-2.0-libc6-i386-gcc2.95)"),
                options.headers().all("USER-AGENT"));
        assertEquals(10, options.headers().size());
        assertEquals("[28/03/2003:22:50:23 00:00]", options.header("PlayerStarttime"));
        assertEquals("npt=0-", tcp.requests().get(4).header("Range"));

        Recorder udp = clean("gstplay_udp.bin");
        assertEquals(List.of("OPTIONS", "DESCRIBE", "SETUP", "SETUP", "PLAY", "GET_PARAMETER", "PAUSE", "TEARDOWN"),
                methods(udp));
        assertEquals("RTP/AVP;unicast;client_port=51564-51565", udp.requests().get(2).header("Transport"));
        assertEquals(6, udp.requests().get(5).cseq());
    }

    @Test
    void gstreamerPublishing() throws Exception {
        Recorder r = clean("gstpub.bin");
        assertEquals(List.of("OPTIONS", "ANNOUNCE", "SETUP", "RECORD", "PAUSE", "TEARDOWN"), methods(r));
        SessionDescription sdp = SessionDescription.parse(r.requests().get(1).body());
        assertEquals("PCMU/8000", sdp.media().get(0).attribute("rtpmap").substring(2));
        TransportSpec t = TransportSpec.parseAll(r.requests().get(2).header("Transport")).get(0);
        assertTrue(t.tcp() && t.record());
        assertTrue(r.frames().size() >= 20);
        for (Frame f : r.frames()) {
            if (f.channel() == 0) {
                assertEquals(0, RtpPacket.parse(f.data()).payloadType());
            } else {
                assertEquals(1, f.channel());
            }
        }
    }

    @Test
    void everyCaptureDecodesTheSameCutAtEveryByteAndInRandomPieces() {
        Random random = new Random(2326);
        for (String capture : RtspCaptures.ALL) {
            byte[] data = RtspCaptures.bytes(capture);
            List<Object> whole = clean(capture).events;
            for (int cut = 0; cut <= data.length; cut++) {
                Recorder r = decode(data, cut);
                assertNull(r.error, capture + " cut at " + cut);
                assertEquals(whole, r.events, capture + " cut at " + cut);
            }
            assertEquals(whole, decodeBytewise(data).events, capture + " one byte at a time");
            for (int round = 0; round < 50; round++) {
                List<Integer> cuts = new ArrayList<>();
                for (int p = random.nextInt(64); p < data.length; p += 1 + random.nextInt(random.nextBoolean() ? 16 : 4096)) {
                    cuts.add(p);
                }
                Recorder r = decode(data, cuts.stream().mapToInt(Integer::intValue).toArray());
                assertEquals(whole, r.events, capture + " cut at " + cuts);
            }
        }
    }

    // --- interleaved frames -------------------------------------------------------------------------------------------

    @Test
    void requestsAndFramesMixedInOneBuffer() throws Exception {
        byte[] rtp = RtpPacket.of(true, 96, 1, 3000, 0x1234, ascii("frame one")).encode();
        byte[] data = concat(msg("SET_PARAMETER rtsp://h/live/s RTSP/1.0", "CSeq: 7", "Content-Length: 2"), ascii("a\n"),
                RtspMessageWriter.interleaved(0, rtp, 0, rtp.length), RtspMessageWriter.interleaved(1, new byte[3], 0, 3),
                ascii("\r\n"), msg("GET_PARAMETER rtsp://h/live/s RTSP/1.0", "CSeq: 8"),
                RtspMessageWriter.interleaved(2, rtp, 0, rtp.length));
        Recorder r = decode(data);
        assertNull(r.error);
        assertEquals(5, r.events.size());
        assertEquals("SET_PARAMETER", ((RtspRequest) r.events.get(0)).method());
        assertArrayEquals(ascii("a\n"), ((RtspRequest) r.events.get(0)).body());
        assertEquals(new Frame(0, rtp), r.events.get(1));
        assertEquals(new Frame(1, new byte[3]), r.events.get(2));
        assertEquals(8, ((RtspRequest) r.events.get(3)).cseq());
        assertEquals(new Frame(2, rtp), r.events.get(4));
        for (int cut = 0; cut <= data.length; cut++) {
            for (int cut2 = cut; cut2 <= data.length; cut2 += 7) {
                assertEquals(r.events, decode(data, cut, cut2).events, "cut at " + cut + ", " + cut2);
            }
        }
    }

    @Test
    void wholeFramesAreHandedOutFromTheFedArrayWithoutACopy() throws Exception {
        byte[] data = concat(RtspMessageWriter.interleaved(0, new byte[100], 0, 100),
                RtspMessageWriter.interleaved(1, new byte[50], 0, 50));
        List<int[]> slices = new ArrayList<>();
        new RtspDecoder().feed(data, 0, data.length, new Recorder() {
            @Override
            public void interleaved(int channel, byte[] d, int offset, int length) {
                assertSame(data, d);
                slices.add(new int[] {channel, offset, length});
            }
        });
        assertEquals(2, slices.size());
        assertArrayEquals(new int[] {0, 4, 100}, slices.get(0));
        assertArrayEquals(new int[] {1, 108, 50}, slices.get(1));
    }

    @Test
    void aFrameCutAcrossFeedsComesOutOnceWholeAndTheRestFromTheFedArray() throws Exception {
        byte[] payload = new byte[1400];
        new Random(1).nextBytes(payload);
        byte[] data = concat(RtspMessageWriter.interleaved(0, payload, 0, payload.length),
                RtspMessageWriter.interleaved(0, payload, 0, 10));
        RtspDecoder d = new RtspDecoder();
        Recorder r = new Recorder();
        d.feed(data, 0, 2, r);
        assertEquals(2, d.bytesBuffered());
        d.feed(data, 2, 700, r);
        assertEquals(702, d.bytesBuffered());
        assertTrue(r.events.isEmpty());
        List<byte[]> arrays = new ArrayList<>();
        d.feed(data, 702, data.length - 702, new Recorder() {
            @Override
            public void interleaved(int channel, byte[] b, int offset, int length) {
                arrays.add(b);
                r.interleaved(channel, b, offset, length);
            }
        });
        assertEquals(0, d.bytesBuffered());
        assertEquals(List.of(new Frame(0, payload), new Frame(0, java.util.Arrays.copyOf(payload, 10))), r.events);
        assertTrue(arrays.get(0) != data && arrays.get(1) == data, "cut frame gathered, whole one in place");
    }

    @Test
    void emptyAndLargestFrames() {
        byte[] big = new byte[RtspDecoder.MAX_FRAME];
        big[RtspDecoder.MAX_FRAME - 1] = 7;
        byte[] data = concat(ascii("$\u0005\u0000\u0000"), RtspMessageWriter.interleaved(3, big, 0, big.length));
        List<Object> expected = List.of(new Frame(5, new byte[0]), new Frame(3, big));
        assertEquals(expected, decode(data).events);
        assertEquals(expected, decode(data, 1, 2, 3, 4, 5, 6, 7, 9000).events);
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.interleaved(0, new byte[65536], 0, 65536));
        assertThrows(IllegalArgumentException.class, () -> RtspMessageWriter.interleaved(256, big, 0, 1));
    }

    // --- text details -------------------------------------------------------------------------------------------------

    @Test
    void bareLineFeedsEmptyLinesBetweenMessagesAndSpacesAroundValues() {
        byte[] data = ascii("\r\n\n\r\nOPTIONS * RTSP/1.0\nCSeq:\t 3 \t\nX-Empty:\nRequire:  implicit-play\n\n\r\n\r\n");
        Recorder r = decode(data);
        assertNull(r.error);
        RtspRequest q = r.requests().get(0);
        assertEquals("*", q.uri());
        assertEquals(3, q.cseq());
        assertEquals("", q.header("x-empty"));
        assertEquals("implicit-play", q.header("REQUIRE"));
        assertEquals(1, r.events.size());
    }

    @Test
    void bodyCutAcrossFeeds() throws Exception {
        byte[] sdp = new byte[20_000];
        java.util.Arrays.fill(sdp, (byte) 'x');
        byte[] data = concat(msg("ANNOUNCE rtsp://h/a RTSP/1.0", "CSeq: 2", "Content-Length: " + sdp.length), sdp);
        RtspDecoder d = new RtspDecoder();
        Recorder r = new Recorder();
        int head = data.length - sdp.length;
        d.feed(data, 0, head + 10, r);
        assertEquals(head + 10, d.bytesBuffered());
        d.feed(data, head + 10, 9000, r);
        assertEquals(head + 9010, d.bytesBuffered());
        d.feed(data, head + 9010, data.length - head - 9010, r);
        assertEquals(0, d.bytesBuffered());
        assertArrayEquals(sdp, r.requests().get(0).body());
    }

    @Test
    void responsesAsACameraAnswers() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
        byte[] data = concat(
                msg("RTSP/1.0 401 Unauthorized", "CSeq: 2", "WWW-Authenticate: Digest realm=\"cam\", nonce=\"abc\"",
                        "WWW-Authenticate: Basic realm=\"cam\""),
                msg("RTSP/1.0 200 OK", "CSeq: 3", "Content-Base: rtsp://10.0.0.2/stream1/", "Content-Type: application/sdp",
                        "Content-Length: " + sdp.length()), ascii(sdp),
                msg("RTSP/1.0 200 OK", "CSeq: 4", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=0A0B0C0D",
                        "Session: 66334873;timeout=60"),
                RtspMessageWriter.interleaved(0, new byte[12], 0, 12),
                msg("RTSP/1.0 454"), msg("RTSP/1.0 200 "));
        Recorder r = decodeBytewise(data);
        assertNull(r.error);
        assertEquals(r.events, decode(data).events);
        RtspResponse unauthorized = (RtspResponse) r.events.get(0);
        assertEquals(401, unauthorized.status());
        assertEquals("Unauthorized", unauthorized.reason());
        assertEquals(2, unauthorized.headers().all("www-authenticate").size());
        RtspResponse describe = (RtspResponse) r.events.get(1);
        assertEquals(3, describe.cseq());
        assertEquals(sdp, new String(describe.body(), StandardCharsets.US_ASCII));
        RtspResponse setup = (RtspResponse) r.events.get(2);
        assertEquals("66334873;timeout=60", setup.header("session"));
        assertEquals(new Frame(0, new byte[12]), r.events.get(3));
        RtspResponse notFound = (RtspResponse) r.events.get(4);
        assertEquals(454, notFound.status());
        assertEquals("", notFound.reason());
        assertEquals(-1, notFound.cseq());
        assertEquals(200, ((RtspResponse) r.events.get(5)).status());
    }

    @Test
    void limitsAreInclusive() {
        String method = "M".repeat(RtspDecoder.MAX_METHOD);
        String line = method + " /" + "u".repeat(RtspDecoder.MAX_LINE - method.length() - 11) + " RTSP/1.0";
        assertEquals(RtspDecoder.MAX_LINE, line.length());
        List<String> lines = new ArrayList<>(List.of(line, "CSeq: 1"));
        String longHeader = "X-Long: " + "v".repeat(RtspDecoder.MAX_HEADER_LINE - 8);
        assertEquals(RtspDecoder.MAX_HEADER_LINE, longHeader.length());
        lines.add(longHeader);
        while (lines.size() < RtspDecoder.MAX_HEADERS) {
            lines.add("X-" + lines.size() + ": " + lines.size());
        }
        lines.add("Content-Length: " + RtspDecoder.MAX_BODY);
        assertEquals(RtspDecoder.MAX_HEADERS, lines.size() - 1);
        byte[] body = new byte[RtspDecoder.MAX_BODY];
        byte[] data = concat(msg(lines.toArray(String[]::new)), body);
        Recorder r = decode(data);
        assertNull(r.error);
        RtspRequest q = r.requests().get(0);
        assertEquals(method, q.method());
        assertEquals(RtspDecoder.MAX_HEADERS, q.headers().size());
        assertEquals(RtspDecoder.MAX_BODY, q.body().length);
        // at the largest message, the most the decoder held stays within its documented bound
        assertTrue(data.length - 1 <= RtspDecoder.MAX_BUFFERED);
        Recorder bytewise = decodeBytewise(data);
        assertNull(bytewise.error);
        assertEquals(r.events, bytewise.events);
    }

    @Test
    void contentLengthRepeatedWithTheSameValueIsAccepted() {
        Recorder r = decode(concat(msg("SET_PARAMETER * RTSP/1.0", "CSeq: 1", "Content-Length: 3", "content-length: 003"),
                ascii("abc")));
        assertNull(r.error);
        assertArrayEquals(ascii("abc"), r.requests().get(0).body());
    }

    @Test
    void csEqAtTheTopOfTheIntRangeAndWithLeadingZeros() {
        assertEquals(Integer.MAX_VALUE, decode(msg("OPTIONS * RTSP/1.0", "CSeq: 2147483647")).requests().get(0).cseq());
        assertEquals(12, decode(msg("OPTIONS * RTSP/1.0", "CSeq: 000000000000012")).requests().get(0).cseq());
    }

    // --- malformed catalogue ------------------------------------------------------------------------------------------

    static Stream<Arguments> malformed() {
        String headers255 = String.join("\r\n", java.util.stream.IntStream.range(0, 255).mapToObj(i -> "X-" + i + ": v")
                .toList());
        return Stream.of(
                Arguments.of("method longer than 32", msg("A".repeat(33) + " * RTSP/1.0", "CSeq: 1"), 400, -1),
                Arguments.of("method with a separator", msg("OPT(IONS * RTSP/1.0", "CSeq: 1"), 400, -1),
                Arguments.of("binary garbage", new byte[] {(byte) 0x80, 0x60, 0, 1, '\n'}, 400, -1),
                Arguments.of("URI of 3000 bytes", msg("DESCRIBE rtsp://h/" + "a".repeat(3000) + " RTSP/1.0", "CSeq: 1"),
                        414, -1),
                Arguments.of("URI that pushes the line to 2053 bytes", msg("OPTIONS /" + "a".repeat(2035) + " RTSP/1.0",
                        "CSeq: 1"), 414, -1),
                Arguments.of("request line long in its version", msg("OPTIONS * RTSP/" + "1".repeat(3000), "CSeq: 1"),
                        400, -1),
                Arguments.of("status line too long", msg("RTSP/1.0 200 " + "O".repeat(3000), "CSeq: 1"), 400, -1),
                Arguments.of("256 headers", msg("OPTIONS * RTSP/1.0", "CSeq: 5", headers255), 400, 5),
                Arguments.of("header line of 2049 bytes", msg("OPTIONS * RTSP/1.0", "CSeq: 5",
                        "X-Long: " + "v".repeat(2041)), 400, 5),
                Arguments.of("start line with no line end", ascii("OPTIONS " + "x".repeat(2041)), 414, -1),
                Arguments.of("status line with no line end", ascii("RTSP/1.0 200 " + "x".repeat(2036)), 400, -1),
                Arguments.of("header line with no line end", ascii("OPTIONS * RTSP/1.0\r\nCSeq: 9\r\nX: "
                        + "y".repeat(2046)), 400, 9),
                Arguments.of("Content-Length -1", msg("ANNOUNCE * RTSP/1.0", "CSeq: 2", "Content-Length: -1"), 400, 2),
                Arguments.of("Content-Length huge", msg("ANNOUNCE * RTSP/1.0", "Content-Length: 99999999999999999999999",
                        "CSeq: 2"), 413, 2),
                Arguments.of("Content-Length one over", msg("ANNOUNCE * RTSP/1.0", "CSeq: 2", "Content-Length: 131073"),
                        413, 2),
                Arguments.of("Content-Length not a number", msg("ANNOUNCE * RTSP/1.0", "CSeq: 2", "Content-Length: 1e3"),
                        400, 2),
                Arguments.of("Content-Length empty", msg("ANNOUNCE * RTSP/1.0", "CSeq: 2", "Content-Length:"), 400, 2),
                Arguments.of("two different Content-Length", msg("ANNOUNCE * RTSP/1.0", "CSeq: 2", "Content-Length: 5",
                        "Content-Length: 6"), 400, 2),
                Arguments.of("missing CSeq", msg("OPTIONS * RTSP/1.0", "User-Agent: x"), 400, -1),
                Arguments.of("CSeq abc", msg("OPTIONS * RTSP/1.0", "CSeq: abc"), 400, -1),
                Arguments.of("CSeq negative", msg("OPTIONS * RTSP/1.0", "CSeq: -1"), 400, -1),
                Arguments.of("CSeq over 2^31-1", msg("OPTIONS * RTSP/1.0", "CSeq: 2147483648"), 400, -1),
                Arguments.of("two different CSeq", msg("OPTIONS * RTSP/1.0", "CSeq: 1", "CSeq: 2"), 400, 1),
                Arguments.of("RTSP/2.0", msg("OPTIONS * RTSP/2.0", "CSeq: 1"), 505, -1),
                Arguments.of("HTTP/1.1", msg("GET / HTTP/1.1", "Host: x"), 505, -1),
                Arguments.of("response RTSP/2.0", msg("RTSP/2.0 200 OK", "CSeq: 1"), 505, -1),
                Arguments.of("version garbage", msg("OPTIONS * RTSP/1.0x", "CSeq: 1"), 400, -1),
                Arguments.of("no version", msg("OPTIONS *", "CSeq: 1"), 400, -1),
                Arguments.of("two spaces", msg("OPTIONS  * RTSP/1.0", "CSeq: 1"), 400, -1),
                Arguments.of("URI not UTF-8", concat(ascii("OPTIONS /caf"), new byte[] {(byte) 0xE9},
                        msg(" RTSP/1.0", "CSeq: 1")), 400, -1),
                Arguments.of("space inside the URI", msg("OPTIONS /a b RTSP/1.0", "CSeq: 1"), 400, -1),
                Arguments.of("status code not three digits", msg("RTSP/1.0 20 OK"), 400, -1),
                Arguments.of("status code with a letter", msg("RTSP/1.0 2x0 OK"), 400, -1),
                Arguments.of("folded header", msg("OPTIONS * RTSP/1.0", "CSeq: 1", "X-A: a", " continued"), 400, 1),
                Arguments.of("header without a colon", msg("OPTIONS * RTSP/1.0", "CSeq: 1", "Session 1"), 400, 1),
                Arguments.of("space before the colon", msg("OPTIONS * RTSP/1.0", "CSeq: 1", "Session : 1"), 400, 1),
                Arguments.of("NUL in a value", msg("OPTIONS * RTSP/1.0", "CSeq: 1", "Session: 1\u00002"), 400, 1),
                Arguments.of("bare CR in a value", msg("OPTIONS * RTSP/1.0", "CSeq: 1", "Session: 1\rX-Injected: 2"),
                        400, 1),
                Arguments.of("tab in the request line", msg("OPTIONS\t* RTSP/1.0", "CSeq: 1"), 400, -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedInputIsRefusedWithItsStatusHoweverItIsCut(String name, byte[] data, int status, int cseq) {
        for (Recorder r : List.of(decode(data), decodeBytewise(data), decode(data, data.length / 2))) {
            assertTrue(r.error != null, name + ": no error");
            assertEquals(status, r.error.status(), name + ": " + r.error.getMessage());
            assertEquals(cseq, r.error.cseq(), name);
            assertTrue(r.events.isEmpty(), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPTIONS ", "RTSP/1.0 200 ", "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: "})
    void aLineThatNeverEndsIsRefusedOnceItPassesTheLimit(String prefix) throws Exception {
        // the decoder must give up on its own, whatever follows: 2048 bytes of line and no line end
        int lineStart = prefix.lastIndexOf('\n') + 1;
        byte[] line = ascii(prefix + "x".repeat(RtspDecoder.MAX_LINE - (prefix.length() - lineStart)));
        RtspDecoder d = new RtspDecoder();
        d.feed(line, 0, line.length, new Recorder());
        assertEquals(line.length, d.bytesBuffered());
        RtspException e = assertThrows(RtspException.class, () -> d.feed(ascii("x"), 0, 1, new Recorder()));
        assertTrue(e.status() == 400 || e.status() == 414);
    }

    @Test
    void aMethodThatCannotBeValidIsRefusedAtItsFirstBadByte() throws Exception {
        RtspDecoder d = new RtspDecoder();
        d.feed(ascii("A".repeat(32)), 0, 32, new Recorder());
        assertEquals(400, assertThrows(RtspException.class, () -> d.feed(ascii("A"), 0, 1, new Recorder())).status());
        RtspDecoder d2 = new RtspDecoder();
        d2.feed(ascii("GET_PARAM"), 0, 9, new Recorder());
        assertThrows(RtspException.class, () -> d2.feed(new byte[] {0x01}, 0, 1, new Recorder()));
    }

    @Test
    void afterAnErrorTheDecoderStaysFailed() throws Exception {
        RtspDecoder d = new RtspDecoder();
        byte[] bad = msg("OPTIONS * RTSP/2.0", "CSeq: 1");
        assertThrows(RtspException.class, () -> d.feed(bad, 0, bad.length, new Recorder()));
        byte[] good = msg("OPTIONS * RTSP/1.0", "CSeq: 1");
        assertThrows(RtspException.class, () -> d.feed(good, 0, good.length, new Recorder()));
    }

    @Test
    void anExceptionFromTheHandlerPropagatesAndFailsTheDecoder() {
        RtspDecoder d = new RtspDecoder();
        byte[] data = concat(msg("PLAY * RTSP/1.0", "CSeq: 4"), msg("PLAY * RTSP/1.0", "CSeq: 5"));
        RtspDecoder.Handler refusing = new Recorder() {
            @Override
            public void request(RtspRequest request) {
                throw new IllegalStateException("handler says no to " + request.cseq());
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.feed(data, 0, data.length, refusing));
        assertEquals("handler says no to 4", e.getMessage());
        assertThrows(RtspException.class, () -> d.feed(data, 0, data.length, new Recorder()));
    }

    @Test
    void aSliceOutsideTheArrayIsACallerBug() {
        assertThrows(IndexOutOfBoundsException.class, () -> new RtspDecoder().feed(new byte[4], 2, 3, new Recorder()));
    }

    @Test
    void theBoundIsTheLargestMessage() {
        assertEquals(2050 + 255 * 2050 + 2 + 131072, RtspDecoder.maxBuffered());
    }

    @Test
    void sdpBodyOfAnnounceParses() throws SdpException {
        Recorder r = clean("ffpub_udp.bin");
        SessionDescription sdp = SessionDescription.parse(r.requests().get(1).body());
        assertEquals("streamid=0", sdp.media().get(0).attribute("control"));
    }
}
