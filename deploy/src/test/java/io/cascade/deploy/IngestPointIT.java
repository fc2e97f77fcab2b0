package io.cascade.deploy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cascade.testing.Await;
import io.cascade.testing.TestRtmpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that requires ingest points, driven like an operator and real clients would: the API behind a token,
 * ffmpeg publishing to the private name and playing the public one, the private name nowhere a viewer or the INFO
 * log could see it, and the points still there after the whole cluster restarted.
 */
@Tag("interop")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class IngestPointIT {
    private static final String TOKEN = "t0ken-for-tests";
    private static final String PRIVATE = "sk-7f3a9c0e-private";
    private static final String PUBLIC = "concert";
    private static final long PLAY_WAIT_MS = 1_500;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger cascadeLog = (Logger) LoggerFactory.getLogger("io.cascade");
    @TempDir
    Path dataDir;
    private CascadeNode node;
    private int rtmp;
    private int api;
    private int httpPort;

    @BeforeEach
    void captureLogs() {
        logs.start();
        cascadeLog.addAppender(logs);
    }

    @AfterEach
    void stop() {
        cascadeLog.detachAppender(logs);
        if (node != null) {
            node.stop();
        }
    }

    private void startNode() throws Exception {
        rtmp = Clients.freePort();
        api = Clients.freePort();
        httpPort = Clients.freePort();
        node = new CascadeNode(NodeConfig.of(Clients.isolated(Map.of("rtmp.port", String.valueOf(rtmp),
                "http.port", String.valueOf(httpPort), "api.port", String.valueOf(api), "api.token", TOKEN,
                "bind.host", "127.0.0.1", "data.dir", dataDir.toString(), "ingest.points.required", "true",
                "rtmp.play.wait.ms", String.valueOf(PLAY_WAIT_MS), "edge.linger.ms", "1000"))));
        node.start().await(30, TimeUnit.SECONDS);
    }

    private HttpResponse<String> call(String method, String pathAndQuery, String token, String body) throws Exception {
        String url = "http://127.0.0.1:" + api + pathAndQuery;
        return token == null ? Http.sendText(method, url, body)
                : Http.sendText(method, url, body, "Authorization", "Bearer " + token);
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return call("GET", pathAndQuery, TOKEN, null);
    }

    private void awaitLive(String stream, ExternalProcess publisher) throws Exception {
        Await.until(() -> stream + " never became live: " + publisher.describe(), Duration.ofSeconds(15),
                () -> get("/api/listStreams").body().contains("\"name\":\"" + stream + "\""));
    }

    /** What the node logged at INFO and above since the test began. */
    private List<String> infoLines() {
        synchronized (logs) {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : logs.list) {
                if (e.getLevel().isGreaterOrEqual(Level.INFO)) {
                    out.add(e.getFormattedMessage());
                }
            }
            return out;
        }
    }

    @Test
    void theApiNeedsTheTokenAndKeepsBothNamesUnique() throws Exception {
        startNode();
        String create = "/api/createIngestPoint?privateStreamName=" + PRIVATE + "&publicStreamName=" + PUBLIC;
        assertEquals(401, call("GET", create, null, null).statusCode());
        assertEquals(401, call("POST", create, "wrong", null).statusCode());
        assertEquals(401, call("GET", "/api/listIngestPoints", null, null).statusCode());
        assertEquals(401, call("GET", "/api/removeIngestPoint?privateStreamName=" + PRIVATE, null, null).statusCode());

        HttpResponse<String> created = get(create);
        assertEquals(200, created.statusCode(), created.body());
        assertEquals("SUCCESS", new JsonObject(created.body()).getString("status"));
        HttpResponse<String> again = call("POST", create, TOKEN, null);
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("FAIL", new JsonObject(again.body()).getString("status"));
        assertEquals(409, get("/api/createIngestPoint?privateStreamName=other&publicStreamName=" + PRIVATE).statusCode());
        assertEquals(409, get("/api/createIngestPoint?privateStreamName=" + PUBLIC + "&publicStreamName=x").statusCode());
        assertEquals(400, get("/api/createIngestPoint?privateStreamName=a%2Fb&publicStreamName=x").statusCode());
        assertEquals(400, get("/api/createIngestPoint?privateStreamName=same&publicStreamName=same").statusCode());
        assertEquals(400, get("/api/createIngestPoint?privateStreamName=only").statusCode());

        HttpResponse<String> byBody = call("POST", "/api/createIngestPoint", TOKEN,
                new JsonObject().put("privateStreamName", "lobby-secret").put("publicStreamName", "lobby").encode());
        assertEquals(200, byBody.statusCode(), byBody.body());
        JsonArray points = new JsonObject(get("/api/listIngestPoints").body()).getJsonArray("data");
        assertEquals(new JsonArray()
                .add(new JsonObject().put("privateStreamName", PRIVATE).put("publicStreamName", PUBLIC))
                .add(new JsonObject().put("privateStreamName", "lobby-secret").put("publicStreamName", "lobby")), points);

        assertEquals(200, get("/api/removeIngestPoint?privateStreamName=lobby-secret").statusCode());
        assertEquals(404, get("/api/removeIngestPoint?privateStreamName=lobby-secret").statusCode());
        assertEquals(1, new JsonObject(get("/api/listIngestPoints").body()).getJsonArray("data").size());
        assertFalse(infoLines().stream().anyMatch(l -> l.contains(PRIVATE) || l.contains("lobby-secret")), infoLines().toString());
    }

    @Test
    void publishersUseThePrivateNameViewersThePublicOneAndItSurvivesARestart() throws Exception {
        startNode();
        assertEquals(200, get("/api/createIngestPoint?privateStreamName=" + PRIVATE + "&publicStreamName=" + PUBLIC)
                .statusCode());

        try (ExternalProcess pub = ExternalProcess.start("publish-private", ffmpegPublish(rtmpUrl(rtmp, PRIVATE), 60))) {
            awaitLive(PUBLIC, pub);
            ExternalProcess play = ExternalProcess.run("play-public", 30, ffmpegDecode(rtmpUrl(rtmp, PUBLIC), 3));
            assertEquals(0, play.exitCode(), play.describe());
            assertTrue(countLines(play.stdout(), "0,") >= 50, "video frames decoded: " + countLines(play.stdout(), "0,"));
            assertTrue(countLines(play.stdout(), "1,") >= 80, "audio frames decoded: " + countLines(play.stdout(), "1,"));

            // the private name plays nothing, without waiting for a publisher that can never come
            try (TestRtmpClient viewer = new TestRtmpClient(rtmp, (int) PLAY_WAIT_MS + 5_000)) {
                viewer.handshake(false);
                viewer.connect("live");
                int id = viewer.createStream();
                long t0 = System.nanoTime();
                assertEquals("NetStream.Play.StreamNotFound", viewer.play(id, PRIVATE));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < PLAY_WAIT_MS, "a private name is refused at once, not after the play wait: " + ms + " ms");
            }
            // the public name and unknown names may not be published to
            for (String name : List.of(PUBLIC, "nobody-knows-this")) {
                long t0 = System.nanoTime();
                ExternalProcess refused = ExternalProcess.run("publish-refused-" + name, 20, ffmpegPublish(rtmpUrl(rtmp, name), 10));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertNotEquals(0, refused.exitCode(), refused.describe());
                assertNotEquals(-1, refused.exitCode(), "refused, not left hanging: " + refused.describe());
                assertTrue(ms < 8_000, name + " refused after " + ms + " ms");
            }
            try (TestRtmpClient publisher = new TestRtmpClient(rtmp, 5_000)) {
                publisher.handshake(false);
                publisher.connect("live");
                assertEquals("NetStream.Publish.BadName", publisher.publish(publisher.createStream(), PUBLIC));
            }
            assertTrue(node.counters().publishRefusedNotIngestPoint.sum() >= 3);
            assertTrue(pub.isAlive(), "the real publisher was disturbed: " + pub.describe());

            // nothing a viewer, a dashboard or the INFO log sees carries the private name
            String streams = get("/api/listStreams").body();
            assertTrue(streams.contains(PUBLIC) && !streams.contains(PRIVATE), streams);
            String metrics = Http.getText("http://127.0.0.1:" + httpPort + "/metrics").body();
            assertTrue(metrics.contains("stream=\"" + PUBLIC + "\""), "per-stream series under the public name");
            assertFalse(metrics.contains(PRIVATE), "the private name is in /metrics");
            assertTrue(metrics.contains("cascade_publish_refusals_total{reason=\"not_ingest_point\"}"), "refusals counted");
        }
        List<String> info = infoLines();
        assertTrue(info.stream().anyMatch(l -> l.startsWith("publish started: " + PUBLIC + " ")), info.toString());
        assertFalse(info.stream().anyMatch(l -> l.contains(PRIVATE)), "the private name at INFO: " + info);

        // the whole cluster (one node) goes; a new one on the same data.dir has the point
        node.stop();
        node = null;
        startNode();
        JsonArray points = new JsonObject(get("/api/listIngestPoints").body()).getJsonArray("data");
        assertEquals(new JsonArray().add(new JsonObject().put("privateStreamName", PRIVATE).put("publicStreamName", PUBLIC)),
                points);
        try (ExternalProcess pub = ExternalProcess.start("publish-private-after-restart",
                ffmpegPublish(rtmpUrl(rtmp, PRIVATE), 30))) {
            awaitLive(PUBLIC, pub);
        }
    }
}
