package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket fMP4 and HTTP-FLV viewers of one node with every role, with real clients: ffmpeg publishes over RTMP;
 * ffmpeg decodes {@code /<stream>.flv} (first publish, after a republish, and across one); the JDK's WebSocket client
 * saves what {@code /<stream>/ws} sends and ffprobe/ffmpeg decode the file; Chromium plays the WebSocket stream
 * through Media Source Extensions with the node's own player script. Each test has its own stream.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebSocketFlvIT {
    private static CascadeNode node;
    private static int rtmp;
    private static int http;
    private static int api;

    @BeforeAll
    static void startNode() throws Exception {
        rtmp = Clients.freePort();
        http = Clients.freePort();
        api = Clients.freePort();
        // 2 s segments (the default, spelled out): the page's WebSocket latency is checked against them
        node = Clients.startSingle("wsflv", rtmp, http, "api.port", String.valueOf(api), "viewer.play.wait.ms", "3000",
                "edge.linger.ms", "1000", "segment.target.ms", "2000");
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    private static ExternalProcess publish(String stream) throws Exception {
        ExternalProcess p = ExternalProcess.start("publish-" + stream, ffmpegPublish(rtmpUrl(rtmp, stream), 90));
        awaitLive(stream, true, p);
        return p;
    }

    private static void awaitLive(String stream, boolean live, ExternalProcess publisher) throws Exception {
        Clients.awaitLive(api, stream, live, publisher);
    }

    private static String flvUrl(String stream) {
        return "http://127.0.0.1:" + http + "/" + stream + ".flv";
    }

    private static String wsUrl(String stream) {
        return "ws://127.0.0.1:" + http + "/" + stream + "/ws";
    }

    /** 4 s of 25 fps video and 44.1 kHz AAC decoded, with slack for the start. */
    private static void assertDecoded(ExternalProcess play, int seconds) throws Exception {
        assertEquals(0, play.exitCode(), play.describe());
        long video = countLines(play.stdout(), "0,");
        long audio = countLines(play.stdout(), "1,");
        assertTrue(video >= seconds * 19L && audio >= seconds * 30L, video + " video and " + audio
                + " audio frames decoded in " + seconds + " s: " + play.describe());
    }

    @Test
    void ffmpegDecodesHttpFlvOnAFirstPublishAndAfterARepublish() throws Exception {
        ExternalProcess first = publish("flv");
        try {
            assertDecoded(ExternalProcess.run("ffmpeg-flv", 30, ffmpegDecode(flvUrl("flv"), 4)), 4);
            ExternalProcess probe = ExternalProcess.run("ffprobe-flv", 20, List.of("ffprobe", "-v", "error",
                    "-show_entries", "stream=codec_type", "-of", "csv=p=0", flvUrl("flv")));
            assertEquals(List.of("audio", "video"), probe.stdout().lines().map(String::strip).sorted().toList(),
                    probe.describe());
            first.kill();
            awaitLive("flv", false, null);
            try (ExternalProcess second = publish("flv")) {
                assertDecoded(ExternalProcess.run("ffmpeg-flv-again", 30, ffmpegDecode(flvUrl("flv"), 4)), 4);
            }
        } finally {
            first.close();
        }
    }

    /** A viewer connected when the publisher dies stays, and decodes on through the next publish. */
    @Test
    void ffmpegReadingHttpFlvGoesOnThroughARepublish() throws Exception {
        ExternalProcess first = publish("flv-through");
        ExternalProcess play = ExternalProcess.start("ffmpeg-flv-through", ffmpegDecode(flvUrl("flv-through"), 8));
        try {
            Thread.sleep(3_000);
            first.kill();
            awaitLive("flv-through", false, null);
            try (ExternalProcess second = publish("flv-through")) {
                assertTrue(play.waitFor(40) == 0, play.describe());
                assertDecoded(play, 8);
            }
        } finally {
            first.close();
            play.close();
        }
    }

    @Test
    void aWebSocketClientSavesInitAndFragmentsThatFfmpegDecodes() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> client.newWebSocketBuilder().buildAsync(URI.create(wsUrl("nobody")), new Recorder()).join());
        assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
        assertEquals(404, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode(),
                "not live anywhere: 404 before the upgrade");

        try (ExternalProcess pub = publish("sock")) {
            Recorder recorder = new Recorder();
            WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create(wsUrl("sock")), recorder)
                    .get(10, TimeUnit.SECONDS);
            Await.until("the first message", Duration.ofSeconds(10), () -> !recorder.messages.isEmpty());
            long t0 = System.nanoTime();
            Await.until("viewers counted", Duration.ofSeconds(5),
                    () -> PromText.scrape(http).value("cascade_viewers", "protocol", "ws") == 1.0);
            Thread.sleep(Math.max(0, 4_000 - (System.nanoTime() - t0) / 1_000_000));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);

            List<Object> messages = List.copyOf(recorder.messages);
            assertInstanceOf(String.class, messages.get(0), "the codecs first");
            String mime = (String) messages.get(0);
            assertTrue(mime.matches("video/mp4; codecs=\"avc1\\.[0-9A-Fa-f]{6},mp4a\\.40\\.2\""), mime);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            int clocks = 0;
            long lastWallclock = 0;
            for (int i = 1; i < messages.size(); i++) {
                Object m = messages.get(i);
                if (m instanceof String text) {
                    // not a second codecs message (the config did not change): the clock of the keyframe that follows
                    JsonObject clock = new JsonObject(text);
                    long wallclock = clock.getLong("wallclock");
                    assertTrue(Math.abs(wallclock - System.currentTimeMillis()) < 60_000 && wallclock > lastWallclock,
                            text);
                    assertTrue(clock.getDouble("time") >= 0, text);
                    assertInstanceOf(byte[].class, messages.get(i + 1), "a fragment follows its clock");
                    lastWallclock = wallclock;
                    clocks++;
                    continue;
                }
                file.writeBytes((byte[]) m);
            }
            assertTrue(clocks >= 2, clocks + " clock messages in 4 s of 1 s GOPs with 2 s segments");
            Path saved = Files.createDirectories(Path.of("target", "interop-logs")).resolve("websocket.mp4");
            Files.write(saved, file.toByteArray());

            ExternalProcess probe = ExternalProcess.run("ffprobe-ws", 30, List.of("ffprobe", "-v", "error",
                    "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0",
                    saved.toString()));
            assertEquals(0, probe.exitCode(), probe.describe());
            List<String> streams = probe.stdout().lines().map(String::strip).toList();
            assertEquals(2, streams.size(), probe.describe());
            int video = Integer.parseInt(streams.get(0).replace("h264,", ""));
            int audio = Integer.parseInt(streams.get(1).replace("aac,", ""));
            assertTrue(video >= 75 && audio >= 120, video + " video and " + audio + " audio frames in 4 s");
            ExternalProcess decode = ExternalProcess.run("ffmpeg-ws", 30, List.of("ffmpeg", "-nostdin", "-v", "error",
                    "-xerror", "-i", saved.toString(), "-f", "null", "-"));
            assertEquals(0, decode.exitCode(), decode.describe());
            assertEquals("", decode.stderr().strip(), "decoded without an error");

            PromText m = PromText.scrape(http);
            assertTrue(m.value("cascade_egress_bytes_total", "protocol", "ws") >= file.size(), m.lines("cascade_egress"));
            Await.until("the viewer left", Duration.ofSeconds(5),
                    () -> PromText.scrape(http).value("cascade_viewers", "protocol", "ws") == 0.0);
        }
    }

    @Test
    void flvViewersAreCountedWhilePlaying() throws Exception {
        try (ExternalProcess pub = publish("flv-count")) {
            HttpResponse<InputStream> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(HttpRequest.newBuilder(URI.create(flvUrl("flv-count"))).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            try (DataInputStream in = new DataInputStream(r.body())) {
                byte[] start = new byte[64 << 10];
                in.readFully(start);
                assertEquals("FLV", new String(start, 0, 3, java.nio.charset.StandardCharsets.US_ASCII));
                PromText m = PromText.scrape(http);
                assertEquals(1.0, m.value("cascade_viewers", "protocol", "flv"), m.lines("cascade_viewers"));
                assertTrue(m.value("cascade_egress_bytes_total", "protocol", "flv") >= start.length,
                        m.lines("cascade_egress_bytes_total"));
            }
            assertEquals(404, Http.get(flvUrl("flv-nobody")).statusCode());
        }
    }

    @Test
    void chromiumPlaysTheWebSocketStreamThroughMediaSourceExtensions() throws Exception {
        BrowserPlayer.requireAvailable();
        try (ExternalProcess pub = publish("mse")) {
            BrowserPlayer.Result r = BrowserPlayer.play("ws", wsUrl("mse"), 8);
            assertTrue(r.ok(), r.describe() + "\n" + pub.describe());
            assertTrue(r.advanced() >= 8 * 0.8, r.describe());
            assertEquals(320, r.videoWidth(), r.describe());
            assertTrue(r.audioBytes() > 0, "audio decoded too: " + r.describe());
        }
    }

    /**
     * The node's own pages: the index lists the stream, and the player page plays it in Chromium with every
     * protocol, its libraries (hls.js, dash.js, mpegts.js) served from the node's jar: 8 s at the published size with
     * time advancing at least 80 % of the wall clock (play.mjs's verdict), and the page's stats: a bitrate, dropped
     * frames, and a latency from the server clock for HLS, DASH and WebSocket (none for FLV, which has no wall clock),
     * under 1 s for WebSocket with 2 s segments.
     */
    @Test
    void thePlayerPagePlaysTheStreamWithEveryProtocol() throws Exception {
        BrowserPlayer.requireAvailable();
        try (ExternalProcess pub = publish("page")) {
            String index = Http.getText("http://127.0.0.1:" + http + "/").body();
            assertTrue(index.contains("href=\"/play/page?protocol=ws\""), index);
            for (String library : List.of("hls.min.js", "dash.all.min.js", "mpegts.js")) {
                assertEquals(200, Http.get("http://127.0.0.1:" + http + "/player/lib/" + library).statusCode(),
                        library + " is in the jar (the build fetches it)");
            }
            assertEquals(404, Http.get("http://127.0.0.1:" + http + "/play/nobody?protocol=hls").statusCode());
            for (String protocol : List.of("flv", "ws", "hls", "dash")) {
                BrowserPlayer.Result r = BrowserPlayer.play("page",
                        "http://127.0.0.1:" + http + "/play/page?protocol=" + protocol, 8);
                String why = protocol + ": " + r.describe() + "\n" + pub.describe();
                assertTrue(r.ok(), why);
                assertTrue(r.advanced() >= 8 * 0.8, why);
                assertEquals(320, r.videoWidth(), why);
                assertEquals(240, r.videoHeight(), why);
                JsonObject stats = r.pageStats();
                assertNotNull(stats, "the page shows its stats: " + why);
                assertEquals(320, stats.getInteger("width"), why);
                assertTrue(stats.getLong("bitrateBps") > 10_000, "a bitrate: " + why);
                assertNotNull(stats.getValue("droppedFrames"), why);
                assertNotNull(stats.getValue("clockOffsetMs"), "the server clock was read: " + why);
                if (protocol.equals("flv")) {
                    assertNull(r.latencyMs(), "FLV has no wall clock: " + why);
                    continue;
                }
                assertNotNull(r.latencyMs(), "a latency from the server clock: " + why);
                assertTrue(r.latencyMs() > 0 && r.latencyMs() < 30_000, "a latency that makes sense: " + why);
                if (protocol.equals("ws")) {
                    assertTrue(r.latencyMs() < 1_000, "WebSocket latency under 1 s: " + why);
                }
            }
        }
    }

    /** Keeps every message whole: text as String, binary as byte[]. */
    static final class Recorder implements WebSocket.Listener {
        final List<Object> messages = new CopyOnWriteArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
