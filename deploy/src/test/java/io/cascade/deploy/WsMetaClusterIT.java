package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON data channel ({@code ws://host:port/<stream>/meta}) across a cluster of two nodes: ffmpeg publishes over
 * RTMP to the first (ingest, origin, edge); a client on the second (edge only) sends JSON messages, which travel to
 * the ingesting node and back on the stream's frame path, so subscribers on both nodes get every one of them, after
 * the publisher's onMetaData as JSON. HTTP-FLV and RTMP viewers decode on while messages flow. Then what closes a
 * client: a message over 64 KiB, and a flood.
 */
@Tag("cluster")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WsMetaClusterIT {
    private static CascadeNode ingest;
    private static CascadeNode edge;
    private static int ingestRtmp;
    private static int ingestHttp;
    private static int edgeRtmp;
    private static int edgeHttp;
    private static int api;

    @BeforeAll
    static void startCluster() throws Exception {
        ingestRtmp = Clients.freePort();
        ingestHttp = Clients.freePort();
        edgeRtmp = Clients.freePort();
        edgeHttp = Clients.freePort();
        api = Clients.freePort();
        int ingestCluster = Clients.freePort();
        String name = "meta-cluster-" + ingestCluster;
        ingest = new CascadeNode(NodeConfig.of(Clients.member(name, "ingest-1", "ingest,origin,edge", ingestRtmp,
                ingestCluster, "", "http.port", String.valueOf(ingestHttp), "api.port", String.valueOf(api))));
        edge = new CascadeNode(NodeConfig.of(Clients.member(name, "edge-1", "edge", edgeRtmp, Clients.freePort(),
                "127.0.0.1:" + ingestCluster, "http.port", String.valueOf(edgeHttp))));
        ingest.start().await(60, TimeUnit.SECONDS);
        edge.start().await(60, TimeUnit.SECONDS);
        assertEquals(2, edge.clusterMembers());
    }

    @AfterAll
    static void stopCluster() {
        if (edge != null) {
            edge.stop();
        }
        if (ingest != null) {
            ingest.stop();
        }
    }

    private static ExternalProcess publish(String stream) throws Exception {
        ExternalProcess p = ExternalProcess.start("publish-" + stream, ffmpegPublish(rtmpUrl(ingestRtmp, stream), 90));
        Clients.awaitLive(api, stream, true, p);
        return p;
    }

    private static String metaUrl(int http, String stream) {
        return "ws://127.0.0.1:" + http + "/" + stream + "/meta";
    }

    private static Subscriber subscribe(int http, String stream) throws Exception {
        Subscriber s = new Subscriber();
        s.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(metaUrl(http, stream)), s)
                .get(10, TimeUnit.SECONDS);
        return s;
    }

    @Test
    void aMessageSentOnOneNodeReachesTheSubscribersOfEveryNodeAfterTheRtmpMetadata() throws Exception {
        CompletionException refused = assertThrows(CompletionException.class, () -> HttpClient.newHttpClient()
                .newWebSocketBuilder().buildAsync(URI.create(metaUrl(edgeHttp, "nobody")), new Subscriber()).join());
        assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
        assertEquals(404, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode(),
                "not live anywhere: 404 before the upgrade");

        try (ExternalProcess pub = publish("scores")) {
            Subscriber onIngest = subscribe(ingestHttp, "scores");
            Subscriber onEdge = subscribe(edgeHttp, "scores");
            Subscriber sender = subscribe(edgeHttp, "scores");
            for (Subscriber s : List.of(onIngest, onEdge, sender)) {
                JsonObject metadata = s.await(1).get(0);
                assertEquals("onMetaData", metadata.getString("type"), metadata.encode());
                assertEquals(320, metadata.getJsonObject("data").getInteger("width"), metadata.encode());
                assertEquals(240, metadata.getJsonObject("data").getInteger("height"), metadata.encode());
            }
            Await.until("subscribers counted", Duration.ofSeconds(10),
                    () -> PromText.scrape(edgeHttp).value("cascade_viewers", "protocol", "ws-meta") == 2.0
                            && PromText.scrape(ingestHttp).value("cascade_viewers", "protocol", "ws-meta") == 1.0);

            // while messages flow, an HTTP-FLV viewer on the edge and an RTMP viewer on the ingest node decode on
            ExternalProcess flv = ExternalProcess.start("ffmpeg-flv-meta",
                    ffmpegDecode("http://127.0.0.1:" + edgeHttp + "/scores.flv", 4));
            ExternalProcess rtmp = ExternalProcess.start("ffmpeg-rtmp-meta", ffmpegDecode(rtmpUrl(ingestRtmp, "scores"), 4));
            int count = 40;
            long sentAt = System.nanoTime();
            for (int i = 0; i < count; i++) {
                sender.socket.sendText("{\"n\":" + i + ",\"text\":\"goal \u26bd\"}", true).get(5, TimeUnit.SECONDS);
                Thread.sleep(50); // 20 a second: within one client's rate
            }
            for (Subscriber s : List.of(onIngest, onEdge, sender)) {
                List<JsonObject> got = s.await(1 + count);
                for (int i = 0; i < count; i++) {
                    JsonObject m = got.get(1 + i);
                    assertEquals("message", m.getString("type"), m.encode());
                    assertEquals(i, m.getJsonObject("data").getInteger("n"), "in order: " + m.encode());
                    assertEquals("goal \u26bd", m.getJsonObject("data").getString("text"));
                    assertTrue(m.getDouble("time") > 0, m.encode());
                }
            }
            System.out.println("40 JSON messages from the edge node reached 3 subscribers on 2 nodes in "
                    + (System.nanoTime() - sentAt) / 1_000_000 + " ms (2 s of it spent sending)");
            assertEquals(count, PromText.scrape(ingestHttp).value("cascade_data_messages_total"),
                    "taken in by the ingesting node");
            assertEquals(0.0, PromText.scrape(edgeHttp).value("cascade_data_messages_dropped_total", "reason",
                    "rate_limit"));
            for (ExternalProcess viewer : List.of(flv, rtmp)) {
                assertEquals(0, viewer.waitFor(40), viewer.describe());
                assertTrue(countLines(viewer.stdout(), "0,") >= 4 * 19L && countLines(viewer.stdout(), "1,") >= 4 * 30L,
                        viewer.describe());
                viewer.close();
            }
            for (Subscriber s : List.of(onIngest, onEdge, sender)) {
                s.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aMessageOver64KiBOrAFloodClosesTheClient() throws Exception {
        try (ExternalProcess pub = publish("limits")) {
            Subscriber big = subscribe(edgeHttp, "limits");
            big.await(1);
            big.socket.sendText("\"" + "x".repeat(64 << 10) + "\"", true).get(5, TimeUnit.SECONDS);
            assertEquals(1009, big.closed.get(10, TimeUnit.SECONDS), "message too big");

            Subscriber flood = subscribe(edgeHttp, "limits");
            flood.await(1);
            try {
                for (int i = 0; i < 400 && !flood.closed.isDone(); i++) {
                    flood.socket.sendText("{\"n\":" + i + "}", true).get(5, TimeUnit.SECONDS);
                }
            } catch (java.util.concurrent.ExecutionException closedWhileSending) {
                // the server closed the socket under the flood: what is asserted next
            }
            assertEquals(1008, flood.closed.get(10, TimeUnit.SECONDS), "policy: flooding");
            PromText m = PromText.scrape(edgeHttp);
            assertTrue(m.value("cascade_data_messages_dropped_total", "reason", "rate_limit") > 100,
                    m.lines("cascade_data_messages_dropped_total"));
            assertEquals(2.0, m.value("cascade_protocol_violations_total", "protocol", "ws-meta"),
                    m.lines("cascade_protocol_violations_total"));
        }
    }

    /** Every text message as JSON, and the close code. */
    private static final class Subscriber implements WebSocket.Listener {
        final List<JsonObject> messages = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket socket;

        List<JsonObject> await(int count) throws Exception {
            Await.until(count + " messages", Duration.ofSeconds(15), () -> messages.size() >= count);
            return List.copyOf(messages);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(new JsonObject(text.toString()));
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
