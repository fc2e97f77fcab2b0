package io.cascade.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static io.cascade.deploy.RtspIT.ffmpegRtspDecode;
import static io.cascade.deploy.RtspIT.rtspUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken RTSP clients over real sockets, one catalogue case each, while a good publisher publishes and a
 * good player plays: each bad client gets its status (or its connection closed) and nobody else notices.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RtspBadClientIT {
    private static final String SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n"
            + "a=control:streamid=0\r\n";
    private static CascadeNode node;
    private static int rtmp;
    private static int rtsp;
    private static int api;
    private static ExternalProcess publisher;
    private static ExternalProcess player;
    private static long playerStartedNanos;

    @BeforeAll
    static void start() throws Exception {
        rtmp = Clients.freePort();
        rtsp = Clients.freePort();
        api = Clients.freePort();
        int udpFirst = 40000 + 2 * (rtsp % 1000);
        node = Clients.startSingle("rtsp-bad", rtmp, Clients.freePort(), "rtsp.port", String.valueOf(rtsp),
                "api.port", String.valueOf(api), "rtsp.udp.ports", udpFirst + "-" + (udpFirst + 19));
        publisher = ExternalProcess.start("bad-good-pub", ffmpegPublish(rtmpUrl(rtmp, "good"), 100));
        Clients.awaitLive(api, "good", true, publisher);
        player = ExternalProcess.start("bad-good-player", ffmpegRtspDecode(rtspUrl(rtsp, "good"), "tcp", 90));
        playerStartedNanos = System.nanoTime();
    }

    @AfterAll
    static void stop() {
        player.close();
        publisher.close();
        node.stop();
    }

    /** Sends {@code request} on a fresh connection and returns what came back until the server closed or 3 s. */
    private static String exchange(byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", rtsp)) {
            s.setSoTimeout(3_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException closedWhileWriting) {
                // the server may close before a huge request is all written: what it answered is still readable
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // open after 3 s, or reset: the answer so far is the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String exchange(String request) throws IOException {
        return exchange(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertStatus(int status, String answer) {
        assertTrue(answer.startsWith("RTSP/1.0 " + status + " "), "expected " + status + ", got: " + answer);
    }

    private static String url() {
        return rtspUrl(rtsp, "good");
    }

    @Test
    void oversizedAndMalformedRequestsGetTheirStatus() throws Exception {
        assertStatus(400, exchange("X".repeat(5000) + " " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
        assertStatus(414, exchange("OPTIONS rtsp://127.0.0.1/" + "a".repeat(5000) + " RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
        StringBuilder headers = new StringBuilder("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 1\r\n");
        for (int i = 0; i < 300; i++) {
            headers.append("X-H").append(i).append(": v\r\n");
        }
        assertStatus(400, exchange(headers.append("\r\n").toString()));
        assertStatus(400, exchange("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 1\r\nX: " + "v".repeat(3000) + "\r\n\r\n"));
        assertStatus(400, exchange("OPTIONS " + url() + " RTSP/1.0 " + "x".repeat(3000)));
        assertStatus(400, exchange("OPTIONS " + url() + " RTSP/1.0\r\n\r\n")); // no CSeq
        assertStatus(400, exchange("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: abc\r\n\r\n"));
        assertStatus(505, exchange("OPTIONS " + url() + " RTSP/2.0\r\nCSeq: 1\r\n\r\n"));
    }

    @Test
    void badContentLengthsGetTheirStatus() throws Exception {
        String announce = "ANNOUNCE " + rtspUrl(rtsp, "cl") + " RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n";
        assertStatus(400, exchange(announce + "Content-Length: -1\r\n\r\n"));
        assertStatus(413, exchange(announce + "Content-Length: 99999999\r\n\r\n"));
        assertStatus(400, exchange(announce + "Content-Length: ten\r\n\r\n"));
    }

    @Test
    void methodsOutOfOrderAndUnknownSessionsGetTheirStatus() throws Exception {
        assertStatus(455, exchange("PLAY " + url() + " RTSP/1.0\r\nCSeq: 3\r\nSession: 1234\r\n\r\n"));
        assertStatus(455, exchange("RECORD " + url() + " RTSP/1.0\r\nCSeq: 3\r\nSession: 1234\r\n\r\n"));
        String setup = "DESCRIBE " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\n"
                + "SETUP " + url() + "/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
                + "PLAY " + url() + " RTSP/1.0\r\nCSeq: 3\r\nSession: not-the-session\r\n\r\n";
        String answers = exchange(setup);
        assertTrue(answers.contains("RTSP/1.0 454 "), answers);
        assertStatus(501, exchange("BREW " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
        String multicast = exchange("DESCRIBE " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\n"
                + "SETUP " + url() + "/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP;multicast\r\n\r\n");
        assertTrue(multicast.contains("RTSP/1.0 461 "), multicast);
    }

    @Test
    void anAnnounceOfNothingPlayableIsRefusedAndCreatesNoStream() throws Exception {
        String body = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\n"
                + "a=rtpmap:26 JPEG/90000\r\n";
        String answer = exchange("ANNOUNCE " + rtspUrl(rtsp, "mjpeg") + " RTSP/1.0\r\nCSeq: 1\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertStatus(415, answer);
        assertStatus(415, exchange("ANNOUNCE " + rtspUrl(rtsp, "junk") + " RTSP/1.0\r\nCSeq: 1\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nhello"));
        String streams = Http.getText("http://127.0.0.1:" + api + "/api/listStreams").body();
        assertFalse(streams.contains("mjpeg") || streams.contains("junk"), streams);
    }

    @Test
    void interleavedDataOnChannelsNeverSetUpClosesTheConnection() throws Exception {
        String announce = "ANNOUNCE " + rtspUrl(rtsp, "stray") + " RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n"
                + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP;
        try (Socket s = new Socket("127.0.0.1", rtsp)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(announce.getBytes(StandardCharsets.ISO_8859_1));
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            assertStatus(200, new String(buf, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
            byte[] frame = {'$', 9, 0, 12, (byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
            try {
                for (int i = 0; i < 200; i++) {
                    s.getOutputStream().write(frame);
                }
                assertEquals(-1, s.getInputStream().read(buf), "the connection stayed open");
            } catch (java.net.SocketException reset) {
                // closed while we were still writing: what the test wants
            }
        }
    }

    @Test
    void crlfInAnEchoedValueCannotInjectHeaders() throws Exception {
        // CSeq is the only value echoed; a second line in it is a header line of its own, and CSeq must be a number
        String answer = exchange("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 5\rX-Injected: yes\r\n\r\n");
        assertFalse(answer.contains("X-Injected"), answer);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void theGoodPublisherAndPlayerWereUndisturbed() throws Exception {
        // after every bad client: the good player must still be decoding
        assertTrue(publisher.isAlive(), publisher.describe());
        assertTrue(player.isAlive(), player.describe());
        long seconds = (System.nanoTime() - playerStartedNanos) / 1_000_000_000L;
        long frames = Clients.countLines(player.stdout(), "0,");
        // 25 fps, less a few seconds for the player's start and some slack: a stall of any length would show
        assertTrue(frames >= (seconds - 3) * 25 * 3 / 4, "the good player decoded " + frames + " frames in "
                + seconds + " s: " + player.describe());
        ExternalProcess again = ExternalProcess.run("bad-good-again", 30, ffmpegRtspDecode(url(), "tcp", 2));
        assertEquals(0, again.exitCode(), again.describe());
        assertTrue(Clients.countLines(again.stdout(), "0,") >= 30, again.describe());
        List.of(publisher, player).forEach(p -> assertTrue(p.isAlive()));
    }
}
