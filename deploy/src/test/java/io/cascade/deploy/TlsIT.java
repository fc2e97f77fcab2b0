package io.cascade.deploy;

import io.cascade.testing.Await;
import io.cascade.testing.RtmptTunnel;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS and RTMPT with real clients, through one node with every role: ffmpeg publishes and plays over
 * {@code rtmps://} and plays HLS over {@code https://}, the players trusting a test CA made with openssl at run time
 * (and refusing the node without it); the JDK's WebSocket client gets the init segment over WSS; the API answers over
 * TLS; rtmpdump, ffmpeg and the test client play over {@code rtmpt://} and ffmpeg publishes over it; a certificate
 * replaced on disk is what new connections get, without a restart, and a bad replacement is not.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsIT {
    private static final long RELOAD_MS = 300;
    private static TestCa ca;
    private static Path certFile;
    private static Path keyFile;
    private static CascadeNode node;
    private static int rtmps;
    private static int rtmpt;
    private static int http;
    private static int https;
    private static int api;
    private static ExternalProcess publisher;

    @BeforeAll
    static void startNode() throws Exception {
        ca = TestCa.create("tls-it");
        Path[] pair = ca.issue("node-first", 0x1001);
        certFile = ca.dir.resolve("node.pem");
        keyFile = ca.dir.resolve("node.key");
        TestCa.install(pair, certFile, keyFile);
        rtmps = Clients.freePort();
        rtmpt = Clients.freePort();
        http = Clients.freePort();
        https = Clients.freePort();
        api = Clients.freePort();
        node = new CascadeNode(NodeConfig.of(Clients.isolated(Map.ofEntries(Map.entry("node.name", "tls"),
                Map.entry("bind.host", "127.0.0.1"), Map.entry("rtmp.port", "0"),
                Map.entry("rtmps.port", String.valueOf(rtmps)), Map.entry("rtmpt.port", String.valueOf(rtmpt)),
                Map.entry("http.port", String.valueOf(http)), Map.entry("https.port", String.valueOf(https)),
                Map.entry("api.port", String.valueOf(api)), Map.entry("api.tls", "true"),
                Map.entry("tls.cert", certFile.toString()), Map.entry("tls.key", keyFile.toString()),
                Map.entry("tls.reload.ms", String.valueOf(RELOAD_MS)), Map.entry("edge.linger.ms", "1000")))));
        node.start().await(30, TimeUnit.SECONDS);
        // one publisher over RTMPS for the whole class. ffmpeg 5.1 hands -tls_verify/-ca_file to an rtmps:// input
        // but not to an output ("Option tls_verify not found"), so the publisher does not check the certificate;
        // the players below do
        publisher = ExternalProcess.start("publish-rtmps", ffmpegPublish(rtmpsUrl("secure"), 150));
        Await.until(Duration.ofSeconds(20), () -> {
            assertTrue(publisher.isAlive(), () -> "the RTMPS publisher exited: " + publisher.describe());
            return apiGet("/api/listStreams");
        }, streams -> streams.contains("\"name\":\"secure\""), streams -> "never live over RTMPS: " + streams + "\n"
                + publisher.describe());
    }

    @AfterAll
    static void stopNode() {
        if (publisher != null) {
            publisher.close();
        }
        if (node != null) {
            node.stop();
        }
    }

    private static String rtmpsUrl(String stream) {
        return "rtmps://127.0.0.1:" + rtmps + "/live/" + stream;
    }

    /** An ffmpeg player verifying the node's certificate against the test CA: input options, before {@code -i}. */
    private static List<String> tlsOptions(List<String> ffmpeg) {
        List<String> cmd = new ArrayList<>(ffmpeg);
        cmd.addAll(cmd.indexOf("-i"), List.of("-tls_verify", "1", "-ca_file", ca.cert.toString()));
        return cmd;
    }

    private static HttpClient trustingClient() throws Exception {
        return HttpClient.newBuilder().sslContext(ca.trusting()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static String apiGet(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api + path))
                .timeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = trustingClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** ffmpeg decoding a URL for some seconds, one framecrc line per frame ("0," video, "1," audio). */
    private static List<String> decode(String url, int seconds, String... inputOptions) {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"));
        cmd.addAll(List.of(inputOptions));
        cmd.addAll(List.of("-i", url, "-t", String.valueOf(seconds), "-map", "0:v", "-map", "0:a",
                "-f", "framecrc", "-"));
        return cmd;
    }

    private static void assertDecoded(ExternalProcess play, int seconds) throws Exception {
        assertEquals(0, play.exitCode(), play.describe());
        long video = countLines(play.stdout(), "0,");
        long audio = countLines(play.stdout(), "1,");
        // 25 fps video and 44.1 kHz AAC (43 frames/s), with slack for the start
        assertTrue(video >= seconds * 25L * 3 / 4, "video frames decoded: " + video + "\n" + play.describe());
        assertTrue(audio >= seconds * 43L * 3 / 4, "audio frames decoded: " + audio + "\n" + play.describe());
    }

    @Test
    void ffmpegPlaysOverRtmpsTrustingTheTestCaAndRefusesWithoutIt() throws Exception {
        ExternalProcess play = ExternalProcess.run("ffmpeg-play-rtmps", 30, tlsOptions(decode(rtmpsUrl("secure"), 4)));
        assertDecoded(play, 4);
        // the same player without the CA: the certificate is not trusted, so nothing is played
        ExternalProcess untrusted = ExternalProcess.run("ffmpeg-play-rtmps-untrusted", 30,
                decode(rtmpsUrl("secure"), 1, "-tls_verify", "1"));
        assertNotEquals(0, untrusted.exitCode(), untrusted.describe());
        // RTMPS counts as RTMP (rtmp.port is off here: every RTMP byte came over TLS or RTMPT)
        assertTrue(node.counters().protocol("rtmp").bytesIn.sum() > 100_000);
    }

    @Test
    void ffmpegPlaysHlsOverHttpsTrustingTheTestCa() throws Exception {
        String playlist = "https://127.0.0.1:" + https + "/secure/index.m3u8";
        Await.until(Duration.ofSeconds(30), () -> trustingClient().send(HttpRequest.newBuilder(URI.create(
                        "https://127.0.0.1:" + https + "/secure/v/index.m3u8")).build(),
                HttpResponse.BodyHandlers.ofString()).body(),
                body -> body.split("#EXTINF", -1).length > 3, body -> "too few segments over HTTPS: " + body);
        ExternalProcess play = ExternalProcess.run("ffmpeg-play-https", 40,
                decode(playlist, 3, "-tls_verify", "1", "-ca_file", ca.cert.toString()));
        assertDecoded(play, 3);
        // DASH over HTTPS sends the player's clock requests over HTTPS too
        String mpd = trustingClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https
                + "/secure/index.mpd")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(mpd.contains("https://127.0.0.1:" + https + "/time"), mpd);
        // and the same routes as http.port, metrics included
        String metrics = trustingClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("cascade_viewers{") && l.contains("protocol=\"rtmp\"")),
                "no cascade_viewers series over HTTPS");
    }

    @Test
    void aWssClientTrustingTheTestCaGetsTheCodecsAndTheInitSegment() throws Exception {
        WebSocketFlvIT.Recorder recorder = new WebSocketFlvIT.Recorder();
        List<Object> messages = recorder.messages;
        WebSocket socket = trustingClient().newWebSocketBuilder()
                .buildAsync(URI.create("wss://127.0.0.1:" + https + "/secure/ws"), recorder).get(10, TimeUnit.SECONDS);
        try {
            Await.until("the codecs and the init segment over WSS", Duration.ofSeconds(10), () -> messages.size() >= 2);
            assertTrue(messages.get(0) instanceof String codecs && codecs.startsWith("video/mp4; codecs=\"avc1."),
                    String.valueOf(messages.get(0)));
            byte[] init = (byte[]) messages.get(1);
            assertEquals("ftyp", new String(init, 4, 4, StandardCharsets.US_ASCII),
                    "the init segment starts with ftyp");
        } finally {
            socket.abort();
        }
    }

    @Test
    void rtmpdumpAndFfmpegAndTheTestClientPlayOverRtmptAndFfmpegPublishes() throws Exception {
        Path flv = Files.createDirectories(Path.of("target", "interop-logs")).resolve("rtmpt.flv");
        Files.deleteIfExists(flv);
        ExternalProcess dump = ExternalProcess.start("rtmpdump-rtmpt", List.of("rtmpdump", "-q", "-v", "-r",
                "rtmpt://127.0.0.1:" + rtmpt + "/live/secure", "-o", flv.toString()));
        try {
            Await.until(() -> "rtmpdump recorded over 50 frames of video and audio over RTMPT: " + dump.describe(),
                    Duration.ofSeconds(30), () -> {
                        assertTrue(dump.isAlive(), () -> "rtmpdump exited: " + dump.describe());
                        String probed = ExternalProcess.run("ffprobe-rtmpt", 30, List.of("ffprobe", "-v", "error",
                                "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0",
                                flv.toString())).stdout();
                        return probed.contains("h264,") && probed.contains("aac,") && probed.strip().lines()
                                .allMatch(l -> Integer.parseInt(l.split(",")[1].strip()) > 50);
                    });
        } finally {
            dump.close();
        }

        ExternalProcess play = ExternalProcess.run("ffmpeg-play-rtmpt", 40,
                decode("rtmpt://127.0.0.1:" + rtmpt + "/live/secure", 3));
        assertDecoded(play, 3);

        // and a publisher over RTMPT, played over RTMPS
        try (ExternalProcess pub = ExternalProcess.start("publish-rtmpt",
                ffmpegPublish("rtmpt://127.0.0.1:" + rtmpt + "/live/tunnelled", 40))) {
            Await.until(Duration.ofSeconds(20), () -> {
                assertTrue(pub.isAlive(), () -> "the RTMPT publisher exited: " + pub.describe());
                return apiGet("/api/listStreams");
            }, streams -> streams.contains("\"name\":\"tunnelled\""), streams -> "never live over RTMPT: " + streams);
            assertDecoded(ExternalProcess.run("ffmpeg-play-rtmpt-published", 30,
                    tlsOptions(decode(rtmpsUrl("tunnelled"), 2))), 2);
        }

        try (TestRtmpClient c = new TestRtmpClient(new RtmptTunnel(rtmpt, 10_000))) {
            c.handshake(false);
            c.connect("live");
            int id = c.createStream();
            assertEquals("NetStream.Play.Reset", c.play(id, "secure"));
            assertTrue(c.readMedia() != null, "media over the tunnel");
        }
    }

    @Test
    void aReplacedCertificateIsWhatNewConnectionsGetAndABadOneIsNot() throws Exception {
        assertEquals(BigInteger.valueOf(0x1001), ca.serialAt(rtmps));
        TestCa.install(ca.issue("node-second", 0x2002), certFile, keyFile);
        for (int port : new int[] {rtmps, https, api}) {
            Await.until(Duration.ofSeconds(10), () -> ca.serialAt(port), BigInteger.valueOf(0x2002)::equals,
                    serial -> "port " + port + " still presents serial " + serial.toString(16));
        }
        // every event loop's RTMPS server got it, whichever a new connection lands on
        for (int i = 0; i < 6; i++) {
            assertEquals(BigInteger.valueOf(0x2002), ca.serialAt(rtmps));
        }
        // a new certificate whose key is another one's: logged and not used
        Path[] third = ca.issue("node-third", 0x3003);
        Path[] fourth = ca.issue("node-fourth", 0x4004);
        TestCa.install(new Path[] {third[0], fourth[1]}, certFile, keyFile);
        Thread.sleep(RELOAD_MS * 4);
        for (int port : new int[] {rtmps, https, api}) {
            assertEquals(BigInteger.valueOf(0x2002), ca.serialAt(port), "port " + port);
        }
        // and the playing goes on over the reloaded listeners
        ExternalProcess play = ExternalProcess.run("ffmpeg-play-rtmps-reloaded", 30,
                tlsOptions(decode(rtmpsUrl("secure"), 2)));
        assertDecoded(play, 2);
        TestCa.install(third, certFile, keyFile);
        Await.until(Duration.ofSeconds(10), () -> ca.serialAt(https), BigInteger.valueOf(0x3003)::equals,
                serial -> "the whole third pair was not taken: " + serial.toString(16));
    }
}
