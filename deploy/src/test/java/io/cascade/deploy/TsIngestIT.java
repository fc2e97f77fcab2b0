package io.cascade.deploy;

import io.cascade.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.rtmpUrl;
import static io.cascade.deploy.HlsDeliveryIT.awaitSegments;
import static io.cascade.deploy.HlsDeliveryIT.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MPEG-TS publishers, the way encoders and broadcast gear push it: ffmpeg and GStreamer over UDP (unicast and a
 * multicast group on loopback) and TCP, H.264 and H.265, through a lossy link; played over RTMP, HLS and DASH on
 * the ingesting node and on an edge node of the same cluster.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TsIngestIT {
    /** Short, so the silence test does not wait long; encoders send many datagrams a second. */
    private static final long IDLE_MS = 1_500;
    /** An administratively scoped group: never routed off this host, and the sender pins it to loopback. */
    private static final String GROUP = "239.255.42.7";
    /** In the source-specific range (232/8): joined for one sender only. */
    private static final String SSM_GROUP = "232.255.42.8";
    private static CascadeNode node;
    private static CascadeNode edge;
    private static int rtmp;
    private static int http;
    private static int edgeRtmp;
    private static int edgeHttp;
    private static int api;
    private static int udp;
    private static int tcp;
    private static int multicast;
    private static int sourceSpecific;
    private static int gst;
    private static int namedTcp;
    private static int hevc;
    private static int quiet;
    private static int lossy;

    @BeforeAll
    static void startNode() throws Exception {
        rtmp = Clients.freePort();
        http = Clients.freePort();
        api = Clients.freePort();
        udp = Clients.freePort();
        tcp = Clients.freePort();
        multicast = Clients.freePort();
        sourceSpecific = Clients.freePort();
        gst = Clients.freePort();
        namedTcp = Clients.freePort();
        hevc = Clients.freePort();
        quiet = Clients.freePort();
        lossy = Clients.freePort();
        String listeners = String.join(",",
                "udp://127.0.0.1:" + gst + "?stream=gst",
                "tcp://127.0.0.1:" + namedTcp + "?stream=tcpcam",
                "udp://127.0.0.1:" + hevc + "?stream=hevc",
                "udp://127.0.0.1:" + quiet + "?stream=quiet",
                "udp://127.0.0.1:" + lossy + "?stream=lossy",
                "udp://:" + multicast + "?stream=mcast&group=" + GROUP + "&interface=127.0.0.1",
                "udp://:" + sourceSpecific + "?stream=ssm&group=" + SSM_GROUP + "&interface=lo&source=127.0.0.1",
                // the same group and port for another sender: shares the port, gets none of the first one's datagrams
                "udp://:" + sourceSpecific + "?stream=ssm-other&group=" + SSM_GROUP + "&interface=lo&source=127.0.0.2");
        int cluster = Clients.freePort();
        String name = "ts-" + cluster;
        node = new CascadeNode(NodeConfig.of(Clients.member(name, "ts-ingest", "ingest,origin,edge", rtmp, cluster, "",
                "http.port", String.valueOf(http), "api.port", String.valueOf(api),
                "ts.udp.port", String.valueOf(udp), "ts.udp.stream", "udpcam", "ts.tcp.port", String.valueOf(tcp),
                "ts.listeners", listeners, "ts.idle.ms", String.valueOf(IDLE_MS), "segment.target.ms", "1000",
                "viewer.play.wait.ms", "5000", "edge.linger.ms", "1000", "http.linger.ms", "5000")));
        node.start().await(60, TimeUnit.SECONDS);
        edgeRtmp = Clients.freePort();
        edgeHttp = Clients.freePort();
        edge = new CascadeNode(NodeConfig.of(Clients.member(name, "ts-edge", "edge", edgeRtmp, Clients.freePort(),
                "127.0.0.1:" + cluster, "http.port", String.valueOf(edgeHttp), "viewer.play.wait.ms", "5000",
                "edge.linger.ms", "1000", "http.linger.ms", "5000")));
        edge.start().await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopNodes() {
        edge.stop();
        node.stop();
    }

    /** ffmpeg encoding H.264 (or H.265) and AAC in real time, 1 s GOP, muxed as MPEG-TS to {@code output}. */
    static List<String> ffmpegTs(String output, int seconds, String videoCodec) {
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
        cmd.addAll(List.of("-c:a", "aac", "-b:a", "64k", "-f", "mpegts", output));
        return cmd;
    }

    private static String udpUrl(int port) {
        return "udp://127.0.0.1:" + port + "?pkt_size=1316";
    }

    private static void awaitLive(String stream, boolean live, ExternalProcess publisher) throws Exception {
        Clients.awaitLive(api, stream, live, publisher);
    }

    private static String listStreams() throws Exception {
        return Http.getText("http://127.0.0.1:" + api + "/api/listStreams").body();
    }

    /** Plays {@code url} for a few seconds with ffmpeg and checks that video and audio frames were decoded. */
    private static void assertDecodes(String what, String url, int seconds) throws Exception {
        Clients.assertDecodes(what, ffmpegDecode(url, seconds), seconds);
    }

    /** Over RTMP, and over HLS and DASH once the playlist lists a few segments, on the ingesting node and the edge. */
    private static void assertPlaysEverywhere(String stream) throws Exception {
        for (String at : List.of("ingest", "edge")) {
            int rtmpPort = at.equals("edge") ? edgeRtmp : rtmp;
            int httpPort = at.equals("edge") ? edgeHttp : http;
            assertDecodes(stream + "-" + at + "-rtmp", rtmpUrl(rtmpPort, stream), 3);
            awaitSegments(url(httpPort, stream, "v/index.m3u8"), 3, 20_000);
            assertDecodes(stream + "-" + at + "-hls", url(httpPort, stream, "index.m3u8"), 3);
            assertDecodes(stream + "-" + at + "-dash", url(httpPort, stream, "index.mpd"), 3);
        }
    }

    @Test
    void ffmpegOverUdpPlaysOverRtmpHlsAndDash() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("ts-udp", ffmpegTs(udpUrl(udp), 60, "libx264"))) {
            awaitLive("udpcam", true, pub);
            assertTrue(listStreams().contains("\"ingestProtocol\":\"ts\""), listStreams());
            assertPlaysEverywhere("udpcam");
        }
    }

    @Test
    void eachTcpPublisherIsAStreamNamedAfterTheListener() throws Exception {
        // no ts.tcp.stream: each connection publishes its own stream, ts-tcp-<port>-<connection>
        try (ExternalProcess first = ExternalProcess.start("ts-tcp-1",
                ffmpegTs("tcp://127.0.0.1:" + tcp, 60, "libx264"))) {
            String name = "ts-tcp-" + tcp + "-1";
            awaitLive(name, true, first);
            try (ExternalProcess second = ExternalProcess.start("ts-tcp-2",
                    ffmpegTs("tcp://127.0.0.1:" + tcp, 60, "libx264"))) {
                awaitLive("ts-tcp-" + tcp + "-2", true, second);
            }
            assertPlaysEverywhere(name);
        }
    }

    @Test
    void aTcpListenerWithAStreamNameTakesOnePublisherAtATime() throws Exception {
        try (ExternalProcess first = ExternalProcess.start("ts-tcpcam-1",
                ffmpegTs("tcp://127.0.0.1:" + namedTcp, 60, "libx264"))) {
            awaitLive("tcpcam", true, first);
            // the second is refused by admission (the name is live) and its connection closed: ffmpeg fails
            ExternalProcess second = ExternalProcess.run("ts-tcpcam-2", 30,
                    ffmpegTs("tcp://127.0.0.1:" + namedTcp, 20, "libx264"));
            assertTrue(second.exitCode() != 0, "a second publisher of a live name was kept: " + second.describe());
            assertTrue(first.isAlive(), first.describe());
            assertDecodes("tcpcam-rtmp", rtmpUrl(rtmp, "tcpcam"), 3);
        }
    }

    @Test
    void aMulticastGroupOnLoopbackIsJoined() throws Exception {
        String out = "udp://" + GROUP + ":" + multicast + "?pkt_size=1316&localaddr=127.0.0.1&ttl=0";
        try (ExternalProcess pub = ExternalProcess.start("ts-multicast", ffmpegTs(out, 60, "libx264"))) {
            awaitLive("mcast", true, pub);
            assertPlaysEverywhere("mcast");
        }
    }

    @Test
    void aSourceSpecificGroupIsJoinedForItsSender() throws Exception {
        String out = "udp://" + SSM_GROUP + ":" + sourceSpecific + "?pkt_size=1316&localaddr=127.0.0.1&ttl=0";
        try (ExternalProcess pub = ExternalProcess.start("ts-ssm", ffmpegTs(out, 60, "libx264"))) {
            awaitLive("ssm", true, pub);
            assertDecodes("ssm-rtmp", rtmpUrl(rtmp, "ssm"), 3);
            assertTrue(!listStreams().contains("\"name\":\"ssm-other\""), "the other source's listener took "
                    + "127.0.0.1's datagrams: " + listStreams());
        }
    }

    @Test
    void gstreamerMpegtsmuxOverUdpPlays() throws Exception {
        List<String> pipeline = List.of("gst-launch-1.0", "-q", "-e",
                "videotestsrc", "is-live=true", "num-buffers=1500", "!",
                "video/x-raw,width=320,height=240,framerate=25/1", "!",
                "x264enc", "tune=zerolatency", "speed-preset=ultrafast", "key-int-max=25", "!", "h264parse", "!",
                "mpegtsmux", "name=mux", "alignment=7", "!", "udpsink", "host=127.0.0.1", "port=" + gst,
                "audiotestsrc", "is-live=true", "num-buffers=2600", "!", "audioconvert", "!", "avenc_aac", "!",
                "aacparse", "!", "mux.");
        try (ExternalProcess pub = ExternalProcess.start("ts-gstreamer", pipeline)) {
            awaitLive("gst", true, pub);
            assertPlaysEverywhere("gst");
        }
    }

    @Test
    void hevcInTsPlaysAsCmafHvc1() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("ts-hevc", ffmpegTs(udpUrl(hevc), 60, "libx265"))) {
            awaitLive("hevc", true, pub);
            awaitSegments(url(http, "hevc", "v/index.m3u8"), 3, 30_000);
            String multivariant = Http.getText(url(http, "hevc", "index.m3u8")).body();
            assertTrue(multivariant.contains("hvc1."), multivariant);
            ExternalProcess probe = ExternalProcess.run("ffprobe-hevc", 30, List.of("ffprobe", "-v", "error",
                    "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url(http, "hevc", "index.m3u8")));
            assertTrue(probe.stdout().contains("hevc,320,240"), probe.describe());
            assertDecodes("hevc-hls", url(http, "hevc", "index.m3u8"), 3);
        }
    }

    @Test
    void silenceEndsTheStreamAndTheNextDatagramRepublishes() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("ts-quiet-1", ffmpegTs(udpUrl(quiet), 4, "libx264"))) {
            awaitLive("quiet", true, pub);
            assertEquals(0, pub.waitFor(20), pub.describe());
            awaitLive("quiet", false, pub); // ended by silence: nobody told the node
        }
        try (ExternalProcess again = ExternalProcess.start("ts-quiet-2", ffmpegTs(udpUrl(quiet), 60, "libx264"))) {
            awaitLive("quiet", true, again);
            assertPlaysEverywhere("quiet");
            // the republish continues the segment numbering where the first publish left it
            List<Long> numbers = HlsDeliveryIT.segmentNumbers(Http.getText(url(http, "quiet", "v/index.m3u8")).body());
            assertTrue(numbers.get(0) > 0, "numbering restarted: " + numbers);
        }
    }

    /**
     * 30 s of an 8 Mbit/s stream through a relay that drops 1 % of the datagrams: the stream goes on, the losses are
     * counted, and a player keeps decoding (the damaged pictures are skipped to the next keyframe).
     */
    @Test
    void eightMbitPerSecondThroughALossyLinkGoesOn() throws Exception {
        Path clip = Files.createDirectories(Path.of("target", "interop-logs")).resolve("ts-8mbit.ts");
        ExternalProcess encode = ExternalProcess.run("encode-8mbit", 60, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "30",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-b:v", "7600k", "-minrate", "7600k",
                "-maxrate", "7600k", "-bufsize", "2M", "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "128k",
                "-f", "mpegts", clip.toString()));
        assertEquals(0, encode.exitCode(), encode.describe());
        double before = inputErrors();
        try (LossyRelay relay = new LossyRelay(lossy, 0.01);
             ExternalProcess pub = ExternalProcess.start("ts-lossy", List.of("ffmpeg", "-hide_banner", "-nostdin",
                     "-loglevel", "error", "-re", "-i", clip.toString(), "-c", "copy", "-f", "mpegts",
                     udpUrl(relay.port())))) {
            awaitLive("lossy", true, pub);
            ExternalProcess play = ExternalProcess.run("play-lossy", 60, ffmpegDecode(rtmpUrl(rtmp, "lossy"), 20));
            // a loss drops the rest of its GOP (what follows refers to the damaged picture); each keyframe that
            // arrives whole starts decoding again, so pictures come from all over the 20 s, not only its start
            List<Double> seconds = videoSeconds(play.stdout());
            assertTrue(seconds.size() >= 50, "video frames decoded through 1 % loss in 20 s: " + seconds.size()
                    + "\n" + play.describe());
            assertTrue(seconds.get(seconds.size() - 1) - seconds.get(0) >= 12, "decoding stopped: pictures from "
                    + seconds.get(0) + " s to " + seconds.get(seconds.size() - 1) + " s");
            assertEquals(0, pub.waitFor(30), pub.describe());
            double counted = inputErrors() - before;
            long dropped = relay.dropped();
            assertTrue(dropped > 100, "the relay dropped " + dropped + " of " + relay.forwarded());
            // a datagram holds 7 packets: a lost one is a continuity gap on one or two PIDs, so about one error each
            assertTrue(counted >= dropped * 0.8 && counted <= dropped * 3, "input errors counted " + counted
                    + " for " + dropped + " datagrams dropped");
            System.out.printf("lossy link: %d of %d datagrams dropped, %.0f input errors counted, %d pictures decoded"
                            + " from %.1f s to %.1f s of 20 s%n", dropped, dropped + relay.forwarded(), counted,
                    seconds.size(), seconds.get(0), seconds.get(seconds.size() - 1));
        }
    }

    /** The times (s) of the decoded pictures in ffmpeg's framecrc output (its "#tb 0: 1/25" header gives the unit). */
    private static List<Double> videoSeconds(String framecrc) {
        double unit = 0;
        List<Double> out = new ArrayList<>();
        for (String line : framecrc.split("\n")) {
            if (line.startsWith("#tb 0:")) {
                String[] fraction = line.substring(6).trim().split("/");
                unit = Double.parseDouble(fraction[0]) / Double.parseDouble(fraction[1]);
            } else if (line.startsWith("0,")) {
                out.add(Long.parseLong(line.split(",")[2].trim()) * unit);
            }
        }
        return out;
    }

    private static double inputErrors() throws Exception {
        Double v = PromText.scrape(http).value("cascade_input_errors_total", "protocol", "ts");
        return v == null ? 0 : v;
    }

    /** Forwards datagrams from a port of its own to a target port, dropping a share of them at random (seeded). */
    static final class LossyRelay implements AutoCloseable {
        private final DatagramSocket in;
        private final Thread thread;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicLong forwarded = new AtomicLong();

        LossyRelay(int target, double lossRate) throws Exception {
            in = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            in.setSoTimeout(200);
            in.setReceiveBufferSize(4 << 20);
            DatagramSocket out = new DatagramSocket();
            Random random = new Random(42);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), target);
            thread = new Thread(() -> {
                byte[] buffer = new byte[65_536];
                try (out) {
                    while (running.get()) {
                        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                        try {
                            in.receive(p);
                        } catch (SocketTimeoutException idle) {
                            continue;
                        }
                        if (random.nextDouble() < lossRate) {
                            dropped.incrementAndGet();
                            continue;
                        }
                        out.send(new DatagramPacket(p.getData(), p.getLength(), to));
                        forwarded.incrementAndGet();
                    }
                } catch (Exception e) {
                    if (running.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "lossy-relay");
            thread.start();
        }

        int port() {
            return in.getLocalPort();
        }

        long dropped() {
            return dropped.get();
        }

        long forwarded() {
            return forwarded.get();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            thread.join(2_000);
            in.close();
        }
    }
}
