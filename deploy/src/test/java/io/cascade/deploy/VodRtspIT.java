package io.cascade.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTSP of a file on demand, played by ffmpeg and GStreamer: every frame of the file over TCP interleaved and over UDP,
 * paced at real time, ending by itself at the end of the file (RTCP BYE); a PLAY with a Range starts at the keyframe
 * at or before it and says so; the file as MPEG-TS over RTP decodes; names that are missing or lead out of the
 * folder are refused and nothing outside is read; sessions past vod.max.plays are refused with 503.
 */
@Tag("interop")
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class VodRtspIT {
    private static final int CLIP_SECONDS = 16;
    private static CascadeNode node;
    private static int rtsp;
    private static Path data;
    private static VodMedia.Clip clip;

    @BeforeAll
    static void start() throws Exception {
        clip = VodMedia.dataFolder("cascade-vod-rtsp", CLIP_SECONDS);
        data = clip.path().getParent().getParent();
        rtsp = Clients.freePort();
        node = Clients.startSingle("vod-rtsp", Clients.freePort(), Clients.freePort(), "data.dir", data.toString(),
                "rtsp.port", String.valueOf(rtsp));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    private static String url(String path) {
        return "rtsp://127.0.0.1:" + rtsp + path;
    }

    /** ffmpeg plays the whole file over {@code transport} and ends by itself with every frame, at real time. */
    private static Void playsWholeFile(String transport) throws Exception {
        long started = System.nanoTime();
        ExternalProcess p = ExternalProcess.run("vod-rtsp-" + transport, CLIP_SECONDS + 40,
                VodMedia.framecrcOf(url("/vod/clip.mp4"), "-rtsp_transport", transport));
        double wall = (System.nanoTime() - started) / 1e9;
        assertEquals(0, p.exitCode(), transport + ": ffmpeg ends by itself: " + p.describe());
        Map<String, VodMedia.Received> got = VodMedia.framecrc(p.stdout());
        assertEquals(clip.videoPackets(), got.get("video").packets(), transport + ": video frames vs the file's");
        assertEquals(clip.audioPackets(), got.get("audio").packets(), transport + ": audio frames vs the file's");
        for (String type : List.of("video", "audio")) {
            double seconds = got.get(type).seconds();
            double expected = clip.streamSeconds(type);
            assertTrue(Math.abs(seconds - expected) <= VodMedia.FRAME_SECONDS + 0.001,
                    transport + " " + type + ": " + seconds + " s received, the file's " + type + " has " + expected
                            + " s");
        }
        // real time: not faster than the file plays (less the read-ahead a player may get early), nor much slower
        assertTrue(wall >= clip.seconds() - 1 && wall <= clip.seconds() + 10, transport + ": played in " + wall + " s");
        return null;
    }

    /**
     * ffmpeg over TCP and over UDP, GStreamer, and ffmpeg reading MPEG-TS over RTP play the whole file at once: four
     * independent sessions, which one after another took a minute of the build.
     */
    @Test
    void fourPlayersPlayTheWholeFileAtOnce() throws Exception {
        ExecutorService players = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> plays = List.of(
                    players.submit(() -> playsWholeFile("tcp")),
                    players.submit(() -> playsWholeFile("udp")),
                    players.submit(VodRtspIT::gstreamerPlaysToTheEnd),
                    players.submit(VodRtspIT::theFileAsMpegTsOverRtpDecodes));
            for (Future<Void> play : plays) {
                try {
                    play.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error failed) {
                        throw failed; // the assertion itself, with its figures
                    }
                    throw e;
                }
            }
        } finally {
            players.shutdownNow();
        }
    }

    private static Void gstreamerPlaysToTheEnd() throws Exception {
        ExternalProcess p = ExternalProcess.run("vod-rtsp-gst", CLIP_SECONDS + 40, List.of("gst-launch-1.0", "-q",
                "rtspsrc", "location=" + url("/vod/clip.mp4"), "name=s", "s.", "!", "rtph264depay", "!", "h264parse",
                "!", "fakesink", "s.", "!", "rtpmp4gdepay", "!", "aacparse", "!", "fakesink"));
        assertEquals(0, p.exitCode(), "GStreamer reaches end of stream by itself: " + p.describe());
        return null;
    }

    private static Void theFileAsMpegTsOverRtpDecodes() throws Exception {
        ExternalProcess p = ExternalProcess.run("vod-rtsp-ts", CLIP_SECONDS + 40, List.of("ffmpeg", "-hide_banner",
                "-nostdin", "-loglevel", "error", "-i", url("/vodts/clip.mp4"), "-map", "0", "-f", "framecrc", "-"));
        assertEquals(0, p.exitCode(), p.describe());
        Map<String, VodMedia.Received> got = VodMedia.framecrc(p.stdout());
        // ffmpeg's TS-over-RTP reader completes a PES only when the next one starts: the last of each stream stays
        // with it when the RTP stream ends
        assertTrue(got.get("video").packets() >= clip.videoPackets() - 1, "decoded video: " + got.get("video"));
        assertTrue(got.get("audio").packets() >= clip.audioPackets() - 2, "decoded audio: " + got.get("audio"));
        return null;
    }

    @Test
    void ffmpegSeekingTenSecondsInStartsWithinAGopOfIt() throws Exception {
        ExternalProcess p = ExternalProcess.run("vod-rtsp-seek", CLIP_SECONDS + 40,
                VodMedia.framecrcOf(url("/vod/clip.mp4"), "-rtsp_transport", "tcp", "-ss", "10"));
        assertEquals(0, p.exitCode(), p.describe());
        long video = VodMedia.framecrc(p.stdout()).get("video").packets();
        // from the keyframe at or before what ffmpeg asks (10 s less its start offset) to the end
        long fromTen = (CLIP_SECONDS - 10L) * VodMedia.FPS;
        assertTrue(video >= fromTen && video <= fromTen + VodMedia.GOP_FRAMES,
                "video frames after -ss 10: " + video + ", expected " + fromTen + ".." + (fromTen + VodMedia.GOP_FRAMES));
    }

    @Test
    void playWithARangeStartsAtTheKeyframeBeforeItAndPauseResumes() throws Exception {
        try (RawSession s = new RawSession(url("/vod/clip.mp4"))) {
            String sdp = s.request("DESCRIBE", "", "");
            assertTrue(sdp.startsWith("RTSP/1.0 200") && sdp.contains("a=range:npt=0.000-16."), sdp);
            String setup = s.request("SETUP", "/trackID=0", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
            Matcher id = Pattern.compile("Session: ([0-9a-f]+)").matcher(setup);
            assertTrue(id.find(), setup);
            String session = "Session: " + id.group(1) + "\r\n";
            String play = s.request("PLAY", "", session + "Range: npt=10.5-\r\n");
            assertTrue(play.contains("Range: npt=10.000-16."), "keyframes each second: 10.5 starts at 10: " + play);
            assertTrue(play.matches("(?s).*RTP-Info: url=\\S+/trackID=0;seq=\\d+;rtptime=\\d+.*"), play);
            assertTrue(s.request("PAUSE", "", session).startsWith("RTSP/1.0 200"));
            String resumed = s.request("PLAY", "", session);
            assertTrue(resumed.matches("(?s).*Range: npt=1[0-2]\\.\\d{3}-16\\..*"), "resumes where it paused: " + resumed);
            String sought = s.request("PLAY", "", session + "Range: npt=3-\r\n");
            assertTrue(sought.contains("Range: npt=3.000-16."), sought);
        }
    }

    @Test
    void missingNamesAndNamesLeadingOutAreRefused() throws Exception {
        for (String path : List.of("/vod/missing.mp4", "/vod/../secret/outside.mp4", "/vod/%2e%2e/secret/outside.mp4",
                "/vod/link.mp4", "/vodts/link.mp4", "/ts/vod/../secret/outside.mp4")) {
            String answer = Clients.rtspDescribe(rtsp, path.substring(1), null);
            assertTrue(answer.startsWith("RTSP/1.0 404") || answer.startsWith("RTSP/1.0 400"), path + ": " + answer);
            assertTrue(!answer.contains(data.toString()), path + " shows no path: " + answer);
        }
    }

    /**
     * vod.max.plays covers RTSP as RTMP: a session holds a play from DESCRIBE to its end; the next DESCRIBE past the
     * bound is a 503, counted as RTMP's refusal is; once the first session ends, a new one plays.
     */
    @Test
    void playsPastTheNodesBoundAreRefused() throws Exception {
        int port = Clients.freePort();
        int http = Clients.freePort();
        CascadeNode bounded = Clients.startSingle("vod-rtsp-bounded", Clients.freePort(), http, "data.dir",
                data.toString(), "rtsp.port", String.valueOf(port), "vod.max.plays", "1");
        try {
            String base = "rtsp://127.0.0.1:" + port + "/vod/clip.mp4";
            try (RawSession first = new RawSession(port, base)) {
                assertTrue(first.request("DESCRIBE", "", "").startsWith("RTSP/1.0 200"));
                String setup = first.request("SETUP", "/trackID=0",
                        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
                Matcher id = Pattern.compile("Session: ([0-9a-f]+)").matcher(setup);
                assertTrue(id.find(), setup);
                assertTrue(first.request("PLAY", "", "Session: " + id.group(1) + "\r\n").startsWith("RTSP/1.0 200"));
                String second = Clients.rtspDescribe(port, "vod/clip.mp4", null);
                assertTrue(second.startsWith("RTSP/1.0 503"), "past vod.max.plays: " + second);
                PromText metrics = PromText.scrape(http);
                assertEquals(1.0, metrics.value("cascade_play_refusals_total", "reason", "vod_full"));
                assertEquals(1.0, metrics.value("cascade_vod_plays_total", "protocol", "rtsp"));
            }
            io.cascade.testing.Await.until("the first session's play given back", java.time.Duration.ofSeconds(10),
                    () -> Clients.rtspDescribe(port, "vod/clip.mp4", null).startsWith("RTSP/1.0 200"));
        } finally {
            bounded.stop();
        }
    }

    /** A client on a raw socket: requests in order, each answer's head (and body) read whole; media is skipped. */
    private static final class RawSession implements AutoCloseable {
        private final Socket socket;
        private final String base;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private int cseq;

        RawSession(String base) throws Exception {
            this(rtsp, base);
        }

        RawSession(int port, String base) throws Exception {
            this.base = base;
            this.socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
        }

        String request(String method, String suffix, String headers) throws Exception {
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + base + suffix + " RTSP/1.0\r\nCSeq: " + ++cseq + "\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            while (true) {
                byte[] have = pending.toByteArray();
                String text = new String(have, StandardCharsets.ISO_8859_1);
                int start = text.indexOf("RTSP/1.0 ");
                int end = start < 0 ? -1 : text.indexOf("\r\n\r\n", start);
                if (end > 0) {
                    Matcher length = Pattern.compile("Content-Length: (\\d+)").matcher(text.substring(start, end));
                    int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
                    if (have.length >= end + 4 + body && text.substring(start, end).contains("CSeq: " + cseq + "\r")) {
                        pending.reset();
                        pending.write(have, end + 4 + body, have.length - end - 4 - body);
                        return text.substring(start, end + 4 + body);
                    }
                    if (have.length >= end + 4 + body) { // an answer to an earlier request: skip it
                        pending.reset();
                        pending.write(have, end + 4 + body, have.length - end - 4 - body);
                        continue;
                    }
                }
                int n = in.read(buffer);
                if (n < 0) {
                    throw new java.io.EOFException("connection closed: " + text);
                }
                pending.write(buffer, 0, n);
                if (pending.size() > (8 << 20)) { // media between answers: keep only the tail
                    byte[] all = pending.toByteArray();
                    pending.reset();
                    pending.write(all, all.length - 65536, 65536);
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
