package io.cascade.protocol.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.testing.FuzzSeeds;
import io.cascade.protocol.rtsp.RtspCaptures.Recorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz tests of the RTSP decoder, the Transport header and the Request-URI: only RtspException may escape, the
 * decoder gives the same messages and the same error however its input is cut and never holds more than
 * {@link RtspDecoder#MAX_BUFFERED}, and what is read writes back to what reads the same. Seeds are committed under
 * {@code RtspDecoderFuzzTestInputs/<method>/}, where Jazzer replays them in a plain build; JAZZER_FUZZ=1 fuzzes one
 * method a run.
 */
class RtspDecoderFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/rtsp/RtspDecoderFuzzTestInputs");
    /** Inputs up to this long are also fed one byte at a time (the cost is a feed call per byte). */
    private static final int BYTEWISE_LIMIT = 8192;

    @FuzzTest(maxDuration = "10s")
    void decoder(byte[] data) {
        Recorder whole = RtspCaptures.decode(data); // checks bytesBuffered() against MAX_BUFFERED after every feed
        int split = data.length == 0 ? 0 : (int) ((long) (data[data.length - 1] & 0xFF) * data.length / 256);
        int split2 = data.length == 0 ? 0 : split + (data[0] & 0xFF) * (data.length - split) / 256;
        sameOutcome(whole, RtspCaptures.decode(data, split), "cut at " + split);
        sameOutcome(whole, RtspCaptures.decode(data, split, split2), "cut at " + split + " and " + split2);
        if (data.length <= BYTEWISE_LIMIT) {
            sameOutcome(whole, RtspCaptures.decodeBytewise(data), "one byte at a time");
        }
        if (whole.error != null) {
            int s = whole.error.status();
            assertTrue(s == 400 || s == 413 || s == 414 || s == 505, "status " + s);
        }
        for (Object e : whole.events) {
            if (e instanceof RtspRequest q) {
                checkRequest(q);
            } else if (e instanceof RtspResponse p) {
                checkResponse(p);
            }
        }
    }

    private static void sameOutcome(Recorder expected, Recorder actual, String how) {
        assertEquals(expected.events, actual.events, how);
        assertEquals(expected.error == null, actual.error == null, how + ": " + actual.error);
        if (expected.error != null) {
            assertEquals(expected.error.status(), actual.error.status(), how + ": " + actual.error);
            assertEquals(expected.error.cseq(), actual.error.cseq(), how + ": " + actual.error);
        }
    }

    private static void checkRequest(RtspRequest q) {
        assertTrue(Syntax.isToken(q.method()) && q.method().length() <= RtspDecoder.MAX_METHOD, q.method());
        assertTrue(q.cseq() >= 0);
        assertTrue(q.headers().size() <= RtspDecoder.MAX_HEADERS);
        assertTrue(q.body().length <= RtspDecoder.MAX_BODY);
        if (!fitsOneLine(q.headers())) {
            return;
        }
        // a request read can be written again (nothing in it can inject) and reads back the same
        RtspHeaders rest = q.headers().without("CSeq").without("Content-Length");
        byte[] written = RtspMessageWriter.request(q.method(), q.uri(), q.cseq(), rest.entries(), null, q.body());
        Recorder again = RtspCaptures.decode(written);
        assertNull(again.error, () -> "written request does not read back: " + again.error);
        assertEquals(1, again.events.size());
        RtspRequest r = (RtspRequest) again.events.get(0);
        assertEquals(q.method(), r.method());
        assertEquals(q.uri(), r.uri());
        assertEquals(q.cseq(), r.cseq());
        assertEquals(rest, r.headers().without("CSeq").without("Content-Length"));
        assertTrue(Arrays.equals(q.body(), r.body()));
    }

    private static void checkResponse(RtspResponse p) {
        assertTrue(p.status() >= 100 && p.status() <= 999);
        assertTrue(p.cseq() >= -1);
        if (!fitsOneLine(p.headers())) {
            return;
        }
        RtspHeaders rest = p.headers().without("CSeq").without("Content-Length");
        byte[] written = RtspMessageWriter.response(p.status(), p.cseq(), rest.entries(), null, p.body());
        Recorder again = RtspCaptures.decode(written);
        assertNull(again.error, () -> "written response does not read back: " + again.error);
        RtspResponse r = (RtspResponse) again.events.get(0);
        assertEquals(p.status(), r.status());
        assertEquals(p.cseq(), r.cseq());
        assertEquals(rest, r.headers().without("CSeq").without("Content-Length"));
        assertTrue(Arrays.equals(p.body(), r.body()));
    }

    /** The writer puts ": " after every name; a line read without the space may be one byte over the limit then. */
    private static boolean fitsOneLine(RtspHeaders h) {
        for (int i = 0; i < h.size(); i++) {
            if (h.name(i).length() + 2 + h.value(i).getBytes(StandardCharsets.UTF_8).length > RtspDecoder.MAX_HEADER_LINE) {
                return false;
            }
        }
        return true;
    }

    @FuzzTest(maxDuration = "10s")
    void transport(byte[] data) {
        String header = new String(data, StandardCharsets.UTF_8);
        List<TransportSpec> all;
        try {
            all = TransportSpec.parseAll(header);
        } catch (RtspException e) {
            assertTrue(e.status() == 400 || e.status() == 461, "status " + e.status());
            return;
        }
        assertFalse(all.isEmpty());
        assertTrue(all.size() <= TransportSpec.MAX_ALTERNATIVES);
        for (TransportSpec t : all) {
            String f = t.format();
            if (f.length() > TransportSpec.MAX_LENGTH) {
                continue; // "interleaved=0" is written "interleaved=0-1": a header at the limit may outgrow it
            }
            try {
                assertEquals(List.of(t), TransportSpec.parseAll(f), f);
            } catch (RtspException e) {
                throw new AssertionError("formatted transport does not parse: " + f + ": " + e.getMessage());
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void url(byte[] data) {
        String uri = new String(data, StandardCharsets.UTF_8);
        RtspUrl u;
        try {
            u = RtspUrl.parse(uri);
        } catch (RtspException e) {
            assertTrue(e.status() == 400 || e.status() == 414, "status " + e.status());
            return;
        }
        assertTrue(u.port() >= -1 && u.port() <= 0xFFFF);
        assertTrue(u.path().size() <= RtspUrl.MAX_SEGMENTS);
        for (String s : u.path()) {
            assertFalse(s.isEmpty() || s.equals(".") || s.equals(".."), s);
            assertTrue(s.chars().noneMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7F), s);
        }
        assertEquals(u.path().isEmpty() ? "" : u.path().get(u.path().size() - 1), u.last());
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> m = new TreeMap<>();
        Map<String, byte[]> decoder = m.computeIfAbsent("decoder", k -> new TreeMap<>());
        decoder.put("ffmpeg_play_tcp", RtspCaptures.bytes("ffplay_tcp.bin"));
        decoder.put("gstreamer_play_udp", RtspCaptures.bytes("gstplay_udp.bin"));
        byte[] ffpub = RtspCaptures.bytes("ffpub_tcp.bin");
        // ffmpeg's SETUPs, RECORD and its first frames: requests and interleaved RTP mixed
        int setup = indexOf(ffpub, "SETUP");
        decoder.put("ffmpeg_record_tcp_frames", Arrays.copyOfRange(ffpub, setup, setup + 1500));
        decoder.put("ffmpeg_announce", Arrays.copyOfRange(ffpub, indexOf(ffpub, "ANNOUNCE"), setup));
        decoder.put("camera_responses", ascii("RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"c\","
                + " nonce=\"n\"\r\n\r\nRTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\n"
                + "v=0\r\n$\u0000\u0000\u0002ab\nRTSP/1.0 454\n\n"));
        // at the limits, so that mutations reach the line, URI and header-count checks
        decoder.put("uri_at_the_line_limit", ascii("OPTIONS /" + "u".repeat(RtspDecoder.MAX_LINE - 18)
                + " RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
        decoder.put("most_headers", ascii("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n" + "X: v\r\n".repeat(RtspDecoder.MAX_HEADERS - 1)
                + "\r\n"));
        byte[] notUtf8 = decoder.get("uri_at_the_line_limit").clone();
        notUtf8[1310] = (byte) 0x81;
        decoder.put("found_by_jazzer_uri_not_utf8", notUtf8); // was replaced by U+FFFD and grew when written back
        decoder.put("bad_two_content_lengths", ascii("ANNOUNCE * RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 5\r\n"
                + "Content-Length: 6\r\n\r\nabcdef"));
        decoder.put("bad_rtsp_2_0", ascii("OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n"));
        decoder.put("bad_folded_header", ascii("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: a\r\n b\r\n\r\n"));
        decoder.put("bad_cseq_not_a_number", ascii("PLAY rtsp://h/a RTSP/1.0\nCSeq: abc\n\n"));
        Map<String, byte[]> transport = m.computeIfAbsent("transport", k -> new TreeMap<>());
        transport.put("ffmpeg_record_tcp", ascii("RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"));
        transport.put("ffmpeg_record_udp", ascii("RTP/AVP/UDP;unicast;client_port=5000-5001;mode=record"));
        transport.put("gstreamer_alternatives", ascii("RTP/AVP;unicast;client_port=51564-51565,RTP/AVP/TCP;unicast;"
                + "interleaved=0-1"));
        transport.put("server_answer", ascii("RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001;ssrc=1A2B3C4D"));
        transport.put("multicast_others", ascii("RTP/AVP;multicast;destination=232.0.0.1;ttl=16;mode=\"PLAY\";append"));
        transport.put("bad_port_70000", ascii("RTP/AVP;unicast;client_port=70000-70001"));
        transport.put("unsupported_savp", ascii("RTP/SAVP;unicast;client_port=5000-5001"));
        Map<String, byte[]> url = m.computeIfAbsent("url", k -> new TreeMap<>());
        url.put("absolute_track", ascii("rtsp://127.0.0.1:5544/live/trackID=1"));
        url.put("bare_path", ascii("/ts/name"));
        url.put("star", ascii("*"));
        url.put("userinfo_ipv6_escape_query", ascii("rtsps://admin:pw@[::1]:554/a%20b/caf%C3%A9?x=1#f"));
        url.put("bad_escaped_dot_dot", ascii("/live/%2e%2e/x"));
        return m;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] data, String s) {
        return new String(data, StandardCharsets.ISO_8859_1).indexOf(s);
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("decoder", this::decoder, "transport", this::transport, "url", this::url), 2000);
    }

    @Test
    void committedSeedFilesMatchTheVectorTables() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
