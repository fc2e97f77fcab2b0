package io.cascade.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.assertDecodes;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static io.cascade.deploy.HlsDeliveryIT.awaitSegments;
import static io.cascade.deploy.HlsDeliveryIT.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTSP the way cameras, encoders and players use it: ffmpeg and GStreamer publishing (ANNOUNCE/RECORD over TCP
 * interleaved and UDP), ffmpeg and GStreamer playing (TCP and UDP, RTP per medium and MPEG-TS over RTP), on the
 * ingesting node and on an edge of the same cluster, and across protocols (RTSP in, RTMP/HLS/DASH out; RTMP in, RTSP
 * out).
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RtspIT {
    private static CascadeNode node;
    private static CascadeNode edge;
    private static int rtmp;
    private static int rtsp;
    private static int http;
    private static int api;
    private static int edgeRtmp;
    private static int edgeRtsp;
    private static int edgeHttp;

    @BeforeAll
    static void startNodes() throws Exception {
        rtmp = Clients.freePort();
        rtsp = Clients.freePort();
        http = Clients.freePort();
        api = Clients.freePort();
        int cluster = Clients.freePort();
        String name = "rtsp-" + cluster;
        int udpFirst = 20000 + 2 * (cluster % 2000);
        node = new CascadeNode(NodeConfig.of(Clients.member(name, "rtsp-ingest", "ingest,origin,edge", rtmp, cluster,
                "", "rtsp.port", String.valueOf(rtsp), "rtsp.udp.ports", udpFirst + "-" + (udpFirst + 99),
                "http.port", String.valueOf(http), "api.port", String.valueOf(api), "segment.target.ms", "1000",
                "viewer.play.wait.ms", "5000", "edge.linger.ms", "1000", "http.linger.ms", "5000")));
        node.start().await(60, TimeUnit.SECONDS);
        edgeRtmp = Clients.freePort();
        edgeRtsp = Clients.freePort();
        edgeHttp = Clients.freePort();
        edge = new CascadeNode(NodeConfig.of(Clients.member(name, "rtsp-edge", "edge", edgeRtmp, Clients.freePort(),
                "127.0.0.1:" + cluster, "rtsp.port", String.valueOf(edgeRtsp),
                "rtsp.udp.ports", (udpFirst + 100) + "-" + (udpFirst + 199), "http.port", String.valueOf(edgeHttp),
                "viewer.play.wait.ms", "5000", "edge.linger.ms", "1000", "http.linger.ms", "5000")));
        edge.start().await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopNodes() {
        edge.stop();
        node.stop();
    }

    static String rtspUrl(int port, String stream) {
        return "rtsp://127.0.0.1:" + port + "/" + stream;
    }

    /** ffmpeg encoding H.264 (or H.265) and AAC in real time, 1 s GOP, published over RTSP with this transport. */
    static List<String> ffmpegRtsp(String url, String transport, int seconds, String videoCodec) {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String.valueOf(seconds), "-c:v", videoCodec, "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"));
        if (videoCodec.equals("libx265")) {
            cmd.addAll(List.of("-x265-params", "log-level=error"));
        } else {
            cmd.addAll(List.of("-tune", "zerolatency"));
        }
        cmd.addAll(List.of("-c:a", "aac", "-b:a", "64k", "-f", "rtsp", "-rtsp_transport", transport, url));
        return cmd;
    }

    /** ffmpeg playing an RTSP URL over {@code transport} and decoding: one framecrc line per frame. */
    static List<String> ffmpegRtspDecode(String url, String transport, int seconds) {
        return List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_transport", transport,
                "-i", url, "-t", String.valueOf(seconds), "-map", "0:v", "-map", "0:a", "-f", "framecrc", "-");
    }

    private static void awaitLive(String stream, boolean live, ExternalProcess publisher) throws Exception {
        Clients.awaitLive(api, stream, live, publisher);
    }

    /** Over RTSP (TCP and UDP), RTMP, HLS and DASH on the ingesting node and on the edge. */
    private static void assertPlaysEverywhere(String stream) throws Exception {
        for (String at : List.of("ingest", "edge")) {
            boolean onEdge = at.equals("edge");
            int rtspPort = onEdge ? edgeRtsp : rtsp;
            assertDecodes(stream + "-" + at + "-rtsp-tcp", ffmpegRtspDecode(rtspUrl(rtspPort, stream), "tcp", 3), 3);
            assertDecodes(stream + "-" + at + "-rtsp-udp", ffmpegRtspDecode(rtspUrl(rtspPort, stream), "udp", 3), 3);
            assertDecodes(stream + "-" + at + "-rtmp", ffmpegDecode(rtmpUrl(onEdge ? edgeRtmp : rtmp, stream), 3), 3);
            int httpPort = onEdge ? edgeHttp : http;
            awaitSegments(url(httpPort, stream, "v/index.m3u8"), 3, 20_000);
            assertDecodes(stream + "-" + at + "-hls", ffmpegDecode(url(httpPort, stream, "index.m3u8"), 3), 3);
            assertDecodes(stream + "-" + at + "-dash", ffmpegDecode(url(httpPort, stream, "index.mpd"), 3), 3);
        }
    }

    @Test
    void ffmpegPublishesOverTcpAndEveryProtocolPlaysOnEveryNode() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("rtsp-pub-tcp",
                ffmpegRtsp(rtspUrl(rtsp, "cam-tcp"), "tcp", 90, "libx264"))) {
            awaitLive("cam-tcp", true, pub);
            String streams = Http.getText("http://127.0.0.1:" + api + "/api/listStreams").body();
            assertTrue(streams.contains("\"ingestProtocol\":\"rtsp\""), streams);
            assertStartTogether(rtspUrl(edgeRtsp, "cam-tcp"));
            assertPlaysEverywhere("cam-tcp");
        }
    }

    @Test
    void ffmpegPublishesOverUdp() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("rtsp-pub-udp",
                ffmpegRtsp(rtspUrl(rtsp, "cam-udp"), "udp", 60, "libx264"))) {
            awaitLive("cam-udp", true, pub);
            assertDecodes("cam-udp-edge-rtsp", ffmpegRtspDecode(rtspUrl(edgeRtsp, "cam-udp"), "tcp", 3), 3);
            assertDecodes("cam-udp-rtmp", ffmpegDecode(rtmpUrl(rtmp, "cam-udp"), 3), 3);
        }
    }

    @Test
    void rtmpPublishedStreamPlaysOverRtspOnTheEdgeWithAudioAndVideoStartingTogether() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("rtmp-pub", ffmpegPublish(rtmpUrl(rtmp, "from-rtmp"), 60))) {
            awaitLive("from-rtmp", true, pub);
            assertDecodes("from-rtmp-edge-rtsp", ffmpegRtspDecode(rtspUrl(edgeRtsp, "from-rtmp"), "tcp", 3), 3);
            assertDecodes("from-rtmp-rtsp-udp", ffmpegRtspDecode(rtspUrl(rtsp, "from-rtmp"), "udp", 3), 3);
            assertStartTogether(rtspUrl(edgeRtsp, "from-rtmp"));
        }
    }

    /** ffprobe's per-stream start times of an RTSP play: audio and video within 100 ms of each other. */
    private static void assertStartTogether(String url) throws Exception {
        ExternalProcess probe = ExternalProcess.run("ffprobe-rtsp", 30, List.of("ffprobe", "-v", "error",
                "-rtsp_transport", "tcp", "-show_entries", "stream=codec_type,start_time", "-of", "csv=p=0", url));
        assertEquals(0, probe.exitCode(), probe.describe());
        double video = startTime(probe.stdout(), "video");
        double audio = startTime(probe.stdout(), "audio");
        assertTrue(Math.abs(video - audio) <= 0.1, "audio and video start apart: " + probe.stdout());
    }

    @Test
    void mpegTsOverRtpPlaysInFfmpeg() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("rtmp-pub-ts", ffmpegPublish(rtmpUrl(rtmp, "as-ts"), 60))) {
            awaitLive("as-ts", true, pub);
            assertDecodes("as-ts-tcp", ffmpegRtspDecode("rtsp://127.0.0.1:" + edgeRtsp + "/ts/as-ts", "tcp", 3), 3);
            assertDecodes("as-ts-udp", ffmpegRtspDecode("rtsp://127.0.0.1:" + rtsp + "/ts/as-ts", "udp", 3), 3);
        }
    }

    @Test
    void gstreamerPublishesAndPlaysOverTcpAndUdp() throws Exception {
        List<String> publish = List.of("gst-launch-1.0", "-q", "-e",
                "videotestsrc", "is-live=true", "num-buffers=1500", "!", "video/x-raw,width=320,height=240,framerate=25/1",
                "!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast", "key-int-max=25", "!", "h264parse", "!",
                "s.sink_0", "audiotestsrc", "is-live=true", "num-buffers=2600", "!", "audioconvert", "!", "avenc_aac",
                "!", "aacparse", "!", "s.sink_1",
                "rtspclientsink", "name=s", "protocols=tcp", "location=" + rtspUrl(rtsp, "gst-cam"));
        try (ExternalProcess pub = ExternalProcess.start("gst-rtsp-pub", publish)) {
            awaitLive("gst-cam", true, pub);
            assertDecodes("gst-cam-rtsp", ffmpegRtspDecode(rtspUrl(edgeRtsp, "gst-cam"), "tcp", 3), 3);
            for (String protocols : List.of("tcp", "udp")) {
                ExternalProcess play = ExternalProcess.run("gst-play-" + protocols, 40, gstreamerPlay(
                        rtspUrl(protocols.equals("tcp") ? edgeRtsp : rtsp, "gst-cam"), protocols));
                assertEquals(0, play.exitCode(), "GStreamer over " + protocols + ": " + play.describe());
            }
        }
    }

    /**
     * GStreamer playing (rtspsrc inside playbin: {@code rtspt://} forces TCP, {@code rtspu://} UDP) and decoding 50
     * video and 50 audio frames, then ending by itself: exit 0 only when both got there. playbin links the source's
     * pads itself; gst-launch's delayed links ({@code src. ! ...} twice) sometimes leave a pad unlinked.
     */
    static List<String> gstreamerPlay(String url, String protocols) {
        String uri = url.replaceFirst("^rtsp:", protocols.equals("tcp") ? "rtspt:" : "rtspu:");
        return List.of("gst-launch-1.0", "-q", "playbin", "uri=" + uri,
                "video-sink=identity eos-after=50 ! fakesink", "audio-sink=identity eos-after=50 ! fakesink");
    }

    @Test
    void hevcOverRtspPlaysOverRtspAndAsCmafHvc1() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("rtsp-pub-hevc",
                ffmpegRtsp(rtspUrl(rtsp, "cam-hevc"), "tcp", 60, "libx265"))) {
            awaitLive("cam-hevc", true, pub);
            assertDecodes("cam-hevc-rtsp", ffmpegRtspDecode(rtspUrl(edgeRtsp, "cam-hevc"), "tcp", 3), 3);
            awaitSegments(url(http, "cam-hevc", "v/index.m3u8"), 3, 30_000);
            String multivariant = Http.getText(url(http, "cam-hevc", "index.m3u8")).body();
            assertTrue(multivariant.contains("hvc1."), multivariant);
            assertDecodes("cam-hevc-hls", ffmpegDecode(url(http, "cam-hevc", "index.m3u8"), 3), 3);
        }
    }

    @Test
    void aSecondPublisherOfALiveNameIsRefused() throws Exception {
        try (ExternalProcess first = ExternalProcess.start("rtsp-first",
                ffmpegRtsp(rtspUrl(rtsp, "taken"), "tcp", 60, "libx264"))) {
            awaitLive("taken", true, first);
            ExternalProcess second = ExternalProcess.run("rtsp-second", 30,
                    ffmpegRtsp(rtspUrl(rtsp, "taken"), "tcp", 10, "libx264"));
            assertTrue(second.exitCode() != 0, "a second publisher of a live name was accepted: " + second.describe());
            assertTrue(first.isAlive(), first.describe());
        }
    }

    private static double startTime(String csv, String type) {
        for (String line : csv.lines().toList()) {
            String[] f = line.split(",");
            if (f.length == 2 && f[0].equals(type)) {
                return Double.parseDouble(f[1]);
            }
        }
        throw new AssertionError("no " + type + " stream: " + csv);
    }
}
