package io.cascade.deploy;

import io.cascade.testing.Await;
import io.cascade.testing.TestRtmpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees on {@code /metrics}, {@code /healthz} and {@code /readyz} of a node while real clients
 * use it: every series from startup, zeros included; ffmpeg publishing and playing moves the stream and viewer
 * gauges and the byte counters. The tests run in order on one node: the first one needs it untouched.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {
    private static final String NODE = "metrics-it";
    private static CascadeNode node;
    private static int rtmp;
    private static int http;

    @BeforeAll
    static void startNode() throws Exception {
        rtmp = Clients.freePort();
        http = Clients.freePort();
        node = Clients.startSingle(NODE, rtmp, http, "rtmp.play.wait.ms", "1000", "edge.linger.ms", "500");
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    @Test
    @Order(1)
    void everySeriesIsThereFromStartupZerosIncluded() throws Exception {
        PromText m = PromText.scrape(http);
        String[][] expectZero = {
                {"cascade_streams", "role", "ingest", "protocol", "rtmp"},
                {"cascade_streams", "role", "edge", "protocol", "rtmp"},
                {"cascade_viewers", "protocol", "rtmp"},
                {"cascade_ingest_bytes_total", "protocol", "rtmp"},
                {"cascade_egress_bytes_total", "protocol", "rtmp"},
                {"cascade_protocol_violations_total", "protocol", "rtmp"},
                // the viewer protocols of the HTTP port, registered by its listener
                {"cascade_viewers", "protocol", "ws"},
                {"cascade_egress_bytes_total", "protocol", "ws"},
                {"cascade_ingest_bytes_total", "protocol", "ws"},
                {"cascade_protocol_violations_total", "protocol", "ws"},
                {"cascade_viewers", "protocol", "ws-meta"},
                {"cascade_ingest_bytes_total", "protocol", "ws-meta"},
                {"cascade_egress_bytes_total", "protocol", "ws-meta"},
                {"cascade_protocol_violations_total", "protocol", "ws-meta"},
                {"cascade_data_messages_total"},
                {"cascade_data_messages_dropped_total", "reason", "rate_limit"},
                {"cascade_data_messages_dropped_total", "reason", "invalid"},
                {"cascade_data_messages_dropped_total", "reason", "not_live"},
                {"cascade_viewers", "protocol", "flv"},
                {"cascade_egress_bytes_total", "protocol", "flv"},
                {"cascade_streams", "role", "edge", "protocol", "flv"},
                {"cascade_frames_dropped_total", "reason", "slow_viewer"},
                {"cascade_frames_dropped_total", "reason", "queue_full"},
                {"cascade_frames_dropped_total", "reason", "damaged_input"},
                {"cascade_frames_dropped_total", "reason", "unsupported_codec"},
                {"cascade_viewers_disconnected_total", "reason", "slow"},
                {"cascade_publish_refusals_total", "reason", "name_in_use"},
                {"cascade_publish_refusals_total", "reason", "not_ingest_point"},
                {"cascade_publish_refusals_total", "reason", "unauthorised"},
                {"cascade_publish_refusals_total", "reason", "other"},
                {"cascade_play_refusals_total", "reason", "not_found"},
                {"cascade_play_refusals_total", "reason", "unauthorised"},
                {"cascade_play_refusals_total", "reason", "vod_full"},
                {"cascade_vod_plays_total", "protocol", "rtmp"},
                {"cascade_gop_cache_bytes"},
                {"cascade_eventbus_peer_bytes_sent_total"},
                {"cascade_eventbus_peer_frames_sent_total"},
                {"cascade_stream_viewers", "stream", NodeMetrics.OTHER_STREAMS},
                {"cascade_stream_ingest_bytes_per_second", "stream", NodeMetrics.OTHER_STREAMS},
        };
        for (String[] series : expectZero) {
            String[] labels = Arrays.copyOfRange(series, 1, series.length);
            assertEquals(0.0, m.value(series[0], labels), series[0] + " " + String.join(",", labels) + ":\n"
                    + m.lines(series[0]));
        }
        assertEquals(1.0, m.value("cascade_cluster_members"), m.lines("cascade_cluster_members"));
        assertEquals(1.0, m.value("cascade_node_info", "node", NODE, "roles", "edge,ingest,origin"),
                m.lines("cascade_node_info"));
        for (String role : new String[] {"ingest", "origin", "edge"}) {
            assertEquals(1.0, m.value("cascade_node_role", "role", role), m.lines("cascade_node_role"));
        }
        // and the JVM's and Vert.x's own, through the same registry
        assertFalse(m.find("jvm_memory_used_bytes", "area", "heap").isEmpty(), m.lines("jvm_memory_used_bytes"));
        assertTrue(m.names.contains("process_cpu_usage") && m.names.contains("jvm_threads_live_threads"), m.text);
        assertTrue(PromText.scrape(http).names.contains("vertx_http_server_requests_total"),
                "Vert.x HTTP metrics: the first scrape is counted by the second");
    }

    @Test
    @Order(2)
    void healthAndReadinessAnswerUpInTheShapeOfVertxHealthChecks() throws Exception {
        HttpResponse<String> live = get("/healthz");
        assertEquals(200, live.statusCode(), live.body());
        JsonObject body = new JsonObject(live.body());
        assertEquals("UP", body.getString("status"), live.body());
        assertEquals("UP", body.getString("outcome"), live.body());
        assertEquals("node", body.getJsonArray("checks").getJsonObject(0).getString("id"), live.body());
        assertEquals(NODE, body.getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("node"));

        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        body = new JsonObject(ready.body());
        assertEquals("UP", body.getString("status"), ready.body());
        assertEquals("UP", body.getString("outcome"), ready.body());
        JsonObject listeners = check(body.getJsonArray("checks"), "listeners");
        assertEquals("UP", listeners.getString("status"));
        assertEquals("127.0.0.1:" + rtmp, listeners.getJsonObject("data").getString("rtmp"), ready.body());
        assertEquals("127.0.0.1:" + http, listeners.getJsonObject("data").getString("http"), ready.body());
        JsonObject cluster = check(body.getJsonArray("checks"), "cluster");
        assertEquals("UP", cluster.getString("status"));
        assertEquals(1, cluster.getJsonObject("data").getInteger("members"), ready.body());
    }

    @Test
    @Order(3)
    void publishingAndPlayingMoveTheGaugesAndTheByteCounters() throws Exception {
        String stream = "watched";
        String url = rtmpUrl(rtmp, stream);
        try (ExternalProcess pub = ExternalProcess.start("publish-metrics", ffmpegPublish(url, 60))) {
            PromText m = await("the ingested stream", pub,
                    s -> eq(s.value("cascade_streams", "role", "ingest", "protocol", "rtmp"), 1));
            assertTrue(m.value("cascade_ingest_bytes_total", "protocol", "rtmp") > 0, m.lines("cascade_ingest"));

            try (ExternalProcess play = ExternalProcess.start("play-metrics", ffmpegDecode(url, 60))) {
                m = await("the viewer", play, s -> eq(s.value("cascade_viewers", "protocol", "rtmp"), 1)
                        && eq(s.value("cascade_stream_viewers", "stream", stream), 1)
                        && eq(s.value("cascade_streams", "role", "edge", "protocol", "rtmp"), 1));
                double in = m.value("cascade_ingest_bytes_total", "protocol", "rtmp");
                double out = m.value("cascade_egress_bytes_total", "protocol", "rtmp");
                assertTrue(out > 0, m.lines("cascade_egress"));
                assertTrue(m.value("cascade_gop_cache_bytes") > 0, m.lines("cascade_gop_cache_bytes"));
                assertEquals(0.0, m.value("cascade_stream_viewers", "stream", NodeMetrics.OTHER_STREAMS),
                        "a stream within the cap has its own series");

                m = await("growing byte counters and a bitrate", play,
                        s -> s.value("cascade_ingest_bytes_total", "protocol", "rtmp") > in
                                && s.value("cascade_egress_bytes_total", "protocol", "rtmp") > out
                                && gt(s.value("cascade_stream_ingest_bytes_per_second", "stream", stream), 1_000));
                // the test encoder sends some tens of kbit/s of video and 64 kbit/s of audio
                double bytesPerSecond = m.value("cascade_stream_ingest_bytes_per_second", "stream", stream);
                assertTrue(bytesPerSecond > 5_000 && bytesPerSecond < 1_000_000, "bitrate " + bytesPerSecond);
            }
            await("the viewer gone", pub, s -> eq(s.value("cascade_viewers", "protocol", "rtmp"), 0));
        }
        PromText m = await("the stream gone", null,
                s -> eq(s.value("cascade_streams", "role", "ingest", "protocol", "rtmp"), 0)
                        && eq(s.value("cascade_gop_cache_bytes"), 0)
                        && s.value("cascade_stream_viewers", "stream", stream) == null);
        assertEquals(0.0, m.value("cascade_frames_dropped_total", "reason", "damaged_input"),
                "ffmpeg sends nothing damaged");
    }

    @Test
    @Order(4)
    void anOversizedRequestLineIsRefusedAndTheNodeGoesOn() throws Exception {
        assertEquals(414, get("/" + "a".repeat(HttpListener.MAX_REQUEST_LINE_BYTES + 10)).statusCode());
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    @Order(4)
    void aRefusedPlayIsCounted() throws Exception {
        double before = PromText.scrape(http).value("cascade_play_refusals_total", "reason", "not_found");
        try (TestRtmpClient viewer = new TestRtmpClient(rtmp, 5_000)) {
            viewer.handshake(false);
            viewer.connect("live");
            assertEquals("NetStream.Play.StreamNotFound", viewer.play(viewer.createStream(), "nobody"));
        }
        await("the refusal", null,
                s -> eq(s.value("cascade_play_refusals_total", "reason", "not_found"), before + 1));
    }

    @Test
    @Order(5)
    void anIngestOnlyNodeServesMetricsAndHealthToo() throws Exception {
        int ownHttp = Clients.freePort();
        CascadeNode ingest = new CascadeNode(NodeConfig.of(Clients.isolated(Map.of("roles", "ingest", "rtmp.port", "0",
                "http.port", String.valueOf(ownHttp), "api.port", "0", "bind.host", "127.0.0.1",
                "node.name", "ingest-only"))));
        ingest.start().await(30, TimeUnit.SECONDS);
        try {
            PromText m = PromText.scrape(ownHttp);
            assertEquals(1.0, m.value("cascade_node_role", "role", "ingest"), m.lines("cascade_node_role"));
            assertEquals(0.0, m.value("cascade_node_role", "role", "edge"), m.lines("cascade_node_role"));
            assertEquals(0.0, m.value("cascade_streams", "role", "edge", "protocol", "rtmp"));
            assertEquals(1.0, m.value("cascade_node_info", "node", "ingest-only", "roles", "ingest"));
            HttpResponse<String> ready = Http.getText("http://127.0.0.1:" + ownHttp + "/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            ingest.stop();
        }
    }

    private static boolean eq(Double value, double expected) {
        return value != null && value == expected;
    }

    private static boolean gt(Double value, double than) {
        return value != null && value > than;
    }

    /** Scrapes until the condition holds (the sampled series follow within a second or two). */
    private static PromText await(String what, ExternalProcess client, Predicate<PromText> condition)
            throws Exception {
        return Await.until(Duration.ofSeconds(20), () -> PromText.scrape(http), condition, last -> "never saw " + what
                + " on /metrics:\n" + cascadeLines(last) + (client == null ? "" : client.describe()));
    }

    private static String cascadeLines(PromText m) {
        StringBuilder cascade = new StringBuilder();
        m.text.lines().filter(l -> l.startsWith("cascade_")).forEach(l -> cascade.append(l).append('\n'));
        return cascade.toString();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return Http.getText("http://127.0.0.1:" + http + path);
    }

    private static JsonObject check(JsonArray checks, String id) {
        for (int i = 0; i < checks.size(); i++) {
            if (id.equals(checks.getJsonObject(i).getString("id"))) {
                return checks.getJsonObject(i);
            }
        }
        throw new AssertionError("no check " + id + " in " + checks.encode());
    }
}
