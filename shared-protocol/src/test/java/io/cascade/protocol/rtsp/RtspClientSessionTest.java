package io.cascade.protocol.rtsp;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pull's RTSP client session against a scripted server: what it sends, and what it makes of the answers. */
class RtspClientSessionTest {
    static final String SDP = """
            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=cam
            t=0 0
            a=control:*
            m=video 0 RTP/AVP 96
            a=rtpmap:96 H264/90000
            a=fmtp:96 packetization-mode=1;profile-level-id=4D400A;sprop-parameter-sets=Z01ACtoINsBEAAADAAQAAAMAyDxImoA=,aO8PyA==
            a=control:stream=0
            m=audio 0 RTP/AVP 97
            a=rtpmap:97 MPEG4-GENERIC/44100/2
            a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1210
            a=control:stream=1
            m=application 0 RTP/AVP 107
            a=rtpmap:107 vnd.onvif.metadata/90000
            a=control:stream=2
            """;

    /** Records what the session does. */
    static final class Recorder implements RtspClientSession.Listener {
        final List<RtspRequest> sent = new ArrayList<>();
        final List<String> packets = new ArrayList<>();
        List<RtspClientSession.PlayTrack> playing;
        String ended;
        private final RtspDecoder decoder = new RtspDecoder();

        @Override
        public void send(byte[] bytes) {
            try {
                decoder.feed(bytes, 0, bytes.length, new RtspDecoder.Handler() {
                    @Override
                    public void request(RtspRequest request) {
                        sent.add(request);
                    }

                    @Override
                    public void response(RtspResponse response) {
                        sent.add(new RtspRequest("RESPONSE", "*", response.headers(), null));
                    }

                    @Override
                    public void interleaved(int channel, byte[] data, int offset, int length) {
                    }
                });
            } catch (RtspException e) {
                throw new AssertionError("the session wrote what its own decoder refuses", e);
            }
        }

        @Override
        public void onPlaying(List<RtspClientSession.PlayTrack> tracks) {
            playing = tracks;
        }

        @Override
        public void onPacket(int track, boolean rtcp, byte[] data, int offset, int length) {
            packets.add(track + (rtcp ? " rtcp " : " rtp ") + length);
        }

        @Override
        public void onEnded(String reason) {
            ended = reason;
        }

        RtspRequest last() {
            return sent.get(sent.size() - 1);
        }
    }

    private static void answer(RtspClientSession s, Recorder r, String head, String body) throws RtspException {
        String text = "RTSP/1.0 " + head.replace("CSEQ", String.valueOf(r.last().cseq())) + "\r\n"
                + (body == null ? "\r\n" : "Content-Type: application/sdp\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.receive(bytes, 0, bytes.length);
    }

    private static RtspClientSession playing(Recorder r, String url, int[] udp) throws RtspException {
        RtspClientSession s = new RtspClientSession(r, RtspClientUrl.parse(url), udp);
        s.start();
        assertEquals("OPTIONS", r.last().method());
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER", null);
        assertEquals("DESCRIBE", r.last().method());
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nContent-Base: rtsp://127.0.0.1:8554/cam/", SDP);
        assertEquals("SETUP", r.last().method());
        assertEquals("rtsp://127.0.0.1:8554/cam/stream=0", r.last().uri());
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: abc;timeout=20\r\nTransport: "
                + r.last().header("Transport") + ";ssrc=1234", null);
        assertEquals("SETUP", r.last().method());
        assertEquals("rtsp://127.0.0.1:8554/cam/stream=1", r.last().uri());
        assertEquals("abc", r.last().header("Session"));
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: abc;timeout=20\r\nTransport: "
                + r.last().header("Transport"), null);
        assertEquals("PLAY", r.last().method());
        assertEquals("rtsp://127.0.0.1:8554/cam/", r.last().uri());
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: abc", null);
        assertTrue(s.playing());
        return s;
    }

    @Test
    void playsOverTcpSettingUpTheUsableTracksAndHandsOutTheirPackets() throws RtspException {
        Recorder r = new Recorder();
        RtspClientSession s = playing(r, "rtsp://127.0.0.1:8554/cam?token=t", null);
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1", r.sent.get(2).header("Transport"));
        assertEquals("RTP/AVP/TCP;unicast;interleaved=2-3", r.sent.get(3).header("Transport"));
        assertEquals("rtsp://127.0.0.1:8554/cam?token=t", r.sent.get(0).uri(), "the query travels, the URL as given");
        assertEquals(2, r.playing.size(), "the metadata section is not set up");
        assertEquals(0, r.playing.get(0).track().track());
        assertEquals(1, r.playing.get(1).track().track());
        byte[] frames = {'$', 0, 0, 3, 1, 2, 3, '$', 3, 0, 2, 9, 9, '$', 7, 0, 1, 5};
        s.receive(frames, 0, frames.length);
        assertEquals(List.of("0 rtp 3", "1 rtcp 2"), r.packets, "channel 7 was set up by nobody: dropped");

        assertEquals(10_000, s.keepAliveMillis(), "half the announced 20 s");
        s.keepAlive();
        assertEquals("GET_PARAMETER", r.last().method(), "the server lists it");
        assertEquals("abc", r.last().header("Session"));
        int before = r.sent.size();
        s.keepAlive();
        assertEquals(before, r.sent.size(), "one keep-alive waiting for its answer is enough");
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: abc", null);
        s.stop();
        assertEquals("TEARDOWN", r.last().method());
        assertNull(r.ended);
    }

    @Test
    void overUdpOffersTheBoundClientPorts() throws RtspException {
        Recorder r = new Recorder();
        playing(r, "rtsp://127.0.0.1:8554/cam", new int[]{7000, 7002});
        assertEquals("RTP/AVP;unicast;client_port=7000-7001", r.sent.get(2).header("Transport"));
        assertEquals("RTP/AVP;unicast;client_port=7002-7003", r.sent.get(3).header("Transport"));
        assertEquals(-1, r.playing.get(0).rtpChannel());
    }

    @Test
    void answersA401WithDigestOnceAndEndsOnASecond() throws RtspException {
        Recorder r = new Recorder();
        RtspClientSession s = new RtspClientSession(r, RtspClientUrl.parse("rtsp://us%65r:p%40ss@127.0.0.1/cam"), null);
        s.start();
        assertNull(r.last().header("Authorization"), "no credentials before they are asked for");
        answer(s, r, "401 Unauthorized\r\nCSeq: CSEQ\r\nWWW-Authenticate: Basic realm=\"x\"\r\n"
                + "WWW-Authenticate: Digest realm=\"cams\", nonce=\"n1\", qop=\"auth\"", null);
        RtspRequest retried = r.last();
        assertEquals("OPTIONS", retried.method());
        String authorization = retried.header("Authorization");
        assertTrue(authorization.startsWith("Digest username=\"user\", realm=\"cams\", nonce=\"n1\""), authorization);
        assertFalse(authorization.contains("p@ss"), "Digest never sends the password");
        answer(s, r, "200 OK\r\nCSeq: CSEQ", null);
        assertTrue(r.last().header("Authorization").contains("nc=00000002"), "every request is answered");
        answer(s, r, "401 Unauthorized\r\nCSeq: CSEQ\r\nWWW-Authenticate: Digest realm=\"cams\", nonce=\"n2\"", null);
        assertTrue(r.last().header("Authorization").contains("nonce=\"n2\""), "a new nonce is answered once");
        answer(s, r, "401 Unauthorized\r\nCSeq: CSEQ\r\nWWW-Authenticate: Digest realm=\"cams\", nonce=\"n3\"", null);
        assertTrue(r.ended.contains("401"), r.ended);
        assertFalse(r.ended.contains("p@ss"));
    }

    @Test
    void basicWhenOnlyBasicIsOfferedAndA401WithoutCredentialsEnds() throws RtspException {
        Recorder r = new Recorder();
        RtspClientSession s = new RtspClientSession(r, RtspClientUrl.parse("rtsp://u:p@127.0.0.1/cam"), null);
        s.start();
        answer(s, r, "401 Unauthorized\r\nCSeq: CSEQ\r\nWWW-Authenticate: Basic realm=\"x\"", null);
        assertEquals("Basic dTpw", r.last().header("Authorization"));

        Recorder none = new Recorder();
        RtspClientSession anonymous = new RtspClientSession(none, RtspClientUrl.parse("rtsp://127.0.0.1/cam"), null);
        anonymous.start();
        answer(anonymous, none, "401 Unauthorized\r\nCSeq: CSEQ\r\nWWW-Authenticate: Basic realm=\"x\"", null);
        assertTrue(none.ended.contains("no credentials"), none.ended);
    }

    /** RFC 2617 section 3.5's worked example. */
    @Test
    void digestMatchesRfc2617() throws RtspException {
        RtspClientAuth auth = RtspClientAuth.answer(List.of("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
                "Mufasa", "Circle Of Life").withCnonce("0a4f113b");
        String a = auth.authorization("GET", "/dir/index.html");
        assertTrue(a.contains("response=\"6629fae49393a05397450978507c4ef1\""), a);
        assertTrue(a.contains("nc=00000001") && a.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), a);
        assertThrows(RtspException.class, () -> RtspClientAuth.answer(List.of("Bearer x"), "u", "p"));
    }

    @Test
    void aResponseWithTheWrongCSeqOrToNoRequestIsAViolation() throws RtspException {
        Recorder r = new Recorder();
        RtspClientSession s = new RtspClientSession(r, RtspClientUrl.parse("rtsp://127.0.0.1/cam"), null);
        s.start();
        byte[] wrong = "RTSP/1.0 200 OK\r\nCSeq: 9\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(RtspException.class, () -> s.receive(wrong, 0, wrong.length));

        Recorder r2 = new Recorder();
        RtspClientSession s2 = playing(r2, "rtsp://127.0.0.1:8554/cam", null);
        byte[] unasked = ("RTSP/1.0 200 OK\r\nCSeq: " + r2.last().cseq() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThrows(RtspException.class, () -> s2.receive(unasked, 0, unasked.length));
    }

    @Test
    void aMissingStreamOrADescriptionWithNothingUsableEndsWithTheReason() throws RtspException {
        Recorder r = new Recorder();
        RtspClientSession s = new RtspClientSession(r, RtspClientUrl.parse("rtsp://127.0.0.1/cam"), null);
        s.start();
        answer(s, r, "200 OK\r\nCSeq: CSEQ", null);
        answer(s, r, "404 Not Found\r\nCSeq: CSEQ", null);
        assertEquals("DESCRIBE answered 404 Not Found", r.ended);

        Recorder r2 = new Recorder();
        RtspClientSession s2 = new RtspClientSession(r2, RtspClientUrl.parse("rtsp://127.0.0.1/cam"), null);
        s2.start();
        answer(s2, r2, "200 OK\r\nCSeq: CSEQ", null);
        answer(s2, r2, "200 OK\r\nCSeq: CSEQ", "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=x\nt=0 0\nm=audio 0 RTP/AVP 0\n");
        assertTrue(r2.ended.startsWith("the description has nothing to pull"), r2.ended);
    }

    @Test
    void urlsKeepCredentialsOutOfTheRequestUriAndRefuseWhatCannotBePulled() {
        RtspClientUrl u = RtspClientUrl.parse("RTSP://admin:pa%3Ass@Cam.local:8554/live/main?sub=1#x");
        assertEquals("cam.local", u.host());
        assertEquals(8554, u.port());
        assertEquals("admin", u.user());
        assertEquals("pa:ss", u.password());
        assertEquals("rtsp://Cam.local:8554/live/main?sub=1", u.requestUri());
        assertEquals("rtsp://Cam.local:8554/live/main", u.redacted());
        assertEquals(554, RtspClientUrl.parse("rtsp://[::1]/x").port());
        for (String bad : List.of("rtsp://h/", "rtsps://h/x", "rtmp://h/x", "rtsp://h:0/x", "rtsp://:p@h/x",
                "rtsp://h:99999/x", "rtsp://u:%zz@h/x", "rtsp://h/a b")) {
            assertThrows(IllegalArgumentException.class, () -> RtspClientUrl.parse(bad), bad);
        }
    }

    @Test
    void aPushAnnouncesSetsUpEachTrackForRecordingAndRecords() throws RtspException {
        Recorder r = new Recorder();
        java.util.Map<Integer, Integer>[] channels = new java.util.Map[1];
        RtspClientSession s = RtspClientSession.record(new RtspClientSession.Listener() {
            @Override
            public void send(byte[] bytes) {
                r.send(bytes);
            }

            @Override
            public void onPlaying(List<RtspClientSession.PlayTrack> tracks) {
                throw new AssertionError("a push plays nothing");
            }

            @Override
            public void onRecording(java.util.Map<Integer, Integer> c) {
                channels[0] = c;
            }

            @Override
            public void onPacket(int track, boolean rtcp, byte[] data, int offset, int length) {
            }

            @Override
            public void onEnded(String reason) {
                r.onEnded(reason);
            }
        }, RtspClientUrl.parse("rtsp://127.0.0.1:5544/live/pushed"), SDP.getBytes(StandardCharsets.UTF_8), List.of(0, 1));
        s.start();
        answer(s, r, "200 OK\r\nCSeq: CSEQ", null);
        assertEquals("ANNOUNCE", r.last().method());
        assertEquals("application/sdp", r.last().header("Content-Type"));
        assertEquals(SDP, new String(r.last().body(), StandardCharsets.UTF_8));
        answer(s, r, "200 OK\r\nCSeq: CSEQ", null);
        assertEquals("rtsp://127.0.0.1:5544/live/pushed/trackID=0", r.last().uri());
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1;mode=record", r.last().header("Transport"));
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: s1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
                null);
        assertEquals("rtsp://127.0.0.1:5544/live/pushed/trackID=1", r.last().uri());
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: s1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=4-5;mode=record",
                null);
        assertEquals("RECORD", r.last().method());
        assertEquals("s1", r.last().header("Session"));
        answer(s, r, "200 OK\r\nCSeq: CSEQ\r\nSession: s1", null);
        assertEquals(java.util.Map.of(0, 0, 1, 4), channels[0], "the channels the server answered");
        assertNull(r.ended);
    }
}
