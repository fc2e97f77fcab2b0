package io.cascade.deploy;

import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Viewers spread over the edges of a three-node loopback cluster with {@code balance.redirect}: 90 HLS clients
 * (following redirects, then reading a media playlist and a segment where they landed) and 30 WebSocket clients all
 * sent to node 1 end up with each edge holding its share, within 20 %; with 30 RTMP viewers placed by the API's
 * {@code pickEdge} the same holds for all 150; RTSP DESCRIBEs sent to node 1 are answered 302 to the other edges in turn, and ffmpeg
 * follows that redirect and plays.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BalanceIT {
    private static final int NODES = 3;
    private static final List<CascadeNode> nodes = new ArrayList<>();
    private static final int[] rtmp = new int[NODES];
    private static final int[] http = new int[NODES];
    private static final int[] rtsp = new int[NODES];
    private static int api;

    @BeforeAll
    static void startCluster() throws Exception {
        int cluster = Clients.freePort();
        api = Clients.freePort();
        for (int i = 0; i < NODES; i++) {
            rtmp[i] = Clients.freePort();
            http[i] = Clients.freePort();
            rtsp[i] = Clients.freePort();
            int udp = 20000 + 2 * (rtsp[i] % 2000);
            CascadeNode n = new CascadeNode(NodeConfig.of(Clients.member("balance-" + cluster, "balance-" + (i + 1),
                    i == 0 ? "ingest,origin,edge" : "edge", rtmp[i], i == 0 ? cluster : Clients.freePort(),
                    i == 0 ? "" : "127.0.0.1:" + cluster, "http.port", String.valueOf(http[i]), "api.port",
                    i == 0 ? String.valueOf(api) : "0", "rtsp.port", String.valueOf(rtsp[i]), "rtsp.udp.ports",
                    udp + "-" + (udp + 19), "balance.redirect", "true", "segment.target.ms", "1000",
                    // the three nodes share this JVM, and with it one CPU reading: viewers and egress decide here
                    "balance.cpu.headroom", "1",
                    "viewer.max.behind.ms", "60000")));
            n.start().await(60, TimeUnit.SECONDS);
            nodes.add(n);
        }
    }

    @AfterAll
    static void stopCluster() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).stop();
        }
    }

    /** Which node (1..3) an HTTP port belongs to. */
    private static int nodeOf(URI landed) {
        for (int i = 0; i < NODES; i++) {
            if (landed.getPort() == http[i]) {
                return i + 1;
            }
        }
        throw new AssertionError("landed on no node: " + landed);
    }

    private static void assertShares(String what, Map<Integer, Integer> landed, int total) {
        double share = (double) total / NODES;
        for (int n = 1; n <= NODES; n++) {
            int got = landed.getOrDefault(n, 0);
            assertTrue(Math.abs(got - share) <= share * 0.2, what + ": node " + n + " holds " + got + " of " + total
                    + ", not within 20 % of " + share + ": " + landed);
        }
    }

    @Test
    void hlsAndWebSocketViewersSentToNodeOneAndRtmpViewersPickedByTheApiSpreadEvenly() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("balance-publish", ffmpegPublish(rtmpUrl(rtmp[0], "crowd"),
                120))) {
            Clients.awaitLive(api, "crowd", true, pub);
            // the stream is packaged on every edge before the crowd comes, as after a first viewer or two
            for (int i = 0; i < NODES; i++) {
                int port = http[i];
                io.cascade.testing.Await.until(Duration.ofSeconds(20), () -> Http.getText("http://127.0.0.1:" + port
                        + "/crowd/v/index.m3u8?" + io.cascade.edge.fanout.Relocation.PLACED + "=1").body(),
                        p -> p.contains(".m4s"), p -> "segments on node " + port + ": " + p);
            }
            Thread.sleep(2_000); // every node reported its load since

            Map<Integer, Integer> landed = new LinkedHashMap<>();
            Map<Integer, Integer> hls = new LinkedHashMap<>();
            List<HttpClient> players = new ArrayList<>();
            for (int i = 0; i < 90; i++) {
                HttpClient player = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();
                players.add(player);
                HttpResponse<String> multivariant = player.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + http[0] + "/crowd/index.m3u8")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, multivariant.statusCode(), multivariant.body());
                URI at = multivariant.uri();
                String video = multivariant.body().lines().filter(l -> l.startsWith("v/index.m3u8")).findFirst()
                        .orElseThrow();
                assertTrue(video.contains("cascade_session="), "the player's session: " + video);
                HttpResponse<String> media = player.send(HttpRequest.newBuilder(at.resolve(video))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, media.statusCode(), at + ": " + media.body());
                String segment = media.body().lines().filter(l -> l.endsWith(".m4s")).reduce((a, b) -> b)
                        .orElseThrow();
                HttpResponse<byte[]> bytes = player.send(HttpRequest.newBuilder(media.uri().resolve(segment))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, bytes.statusCode());
                assertEquals(nodeOf(at), nodeOf(bytes.uri()), "the segment came from where the playlist did");
                landed.merge(nodeOf(at), 1, Integer::sum);
                hls.merge(nodeOf(at), 1, Integer::sum);
            }
            assertShares("HLS", hls, 90);

            List<WebSocket> sockets = new ArrayList<>();
            Map<Integer, Integer> ws = new LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                URI target = URI.create("ws://127.0.0.1:" + http[0] + "/crowd/ws");
                WebSocket socket = null;
                for (int hop = 0; hop < 3 && socket == null; hop++) {
                    try {
                        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                                .buildAsync(target, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof WebSocketHandshakeException h
                                && h.getResponse().statusCode() == 302) {
                            target = URI.create(h.getResponse().headers().firstValue("Location").orElseThrow());
                        } else {
                            throw e;
                        }
                    }
                }
                assertNotNull(socket, "the WebSocket client got somewhere within three hops");
                sockets.add(socket);
                landed.merge(nodeOf(target), 1, Integer::sum);
                ws.merge(nodeOf(target), 1, Integer::sum);
            }
            assertShares("HLS and WebSocket", landed, 120);
            assertEquals(30, ws.values().stream().mapToInt(Integer::intValue).sum());
            sockets.forEach(WebSocket::abort);

            // RTSP: a DESCRIBE to node 1 is a first request; the redirect marks it, so where it lands it is served
            Map<Integer, Integer> described = new LinkedHashMap<>();
            for (int i = 0; i < 9; i++) {
                String answer = Clients.rtspDescribe(rtsp[0], "crowd", null);
                int at = 1;
                if (answer.startsWith("RTSP/1.0 302")) {
                    String location = answer.replaceAll("(?s).*\r\nLocation: ([^\r]+)\r\n.*", "$1");
                    assertTrue(location.endsWith("/crowd?" + io.cascade.edge.fanout.Relocation.PLACED + "=1"),
                            location);
                    int port = URI.create(location).getPort();
                    at = port == rtsp[1] ? 2 : port == rtsp[2] ? 3 : -1;
                    assertTrue(Clients.rtspDescribe(port, "crowd?" + io.cascade.edge.fanout.Relocation.PLACED + "=1",
                            null).startsWith("RTSP/1.0 200"), "served where it was sent");
                } else {
                    assertTrue(answer.startsWith("RTSP/1.0 200"), answer);
                }
                described.merge(at, 1, Integer::sum);
            }
            assertTrue(described.getOrDefault(2, 0) > 0 && described.getOrDefault(3, 0) > 0
                    && !described.containsKey(-1), "DESCRIBEs to node 1 sent on to both other edges: " + described);
            Clients.assertDecodes("balance-rtsp", RtspIT.ffmpegRtspDecode("rtsp://127.0.0.1:" + rtsp[0] + "/crowd",
                    "tcp", 3), 3);

            // RTMP: a client that asks the API where to play
            Map<Integer, Integer> rtmpLanded = new LinkedHashMap<>();
            List<TestRtmpClient> viewers = new ArrayList<>();
            try {
                for (int i = 0; i < 30; i++) {
                    String url = new io.vertx.core.json.JsonObject(Http.getText("http://127.0.0.1:" + api
                            + "/api/pickEdge?stream=crowd&protocol=rtmp").body()).getJsonObject("data").getString("url");
                    URI u = URI.create(url);
                    TestRtmpClient c = new TestRtmpClient(u.getPort(), 10_000);
                    viewers.add(c);
                    c.handshake(false);
                    c.connect("live");
                    int stream = c.createStream();
                    c.play(stream, "crowd");
                    assertNotNull(c.readMedia(), "media from " + url);
                    for (int n = 0; n < NODES; n++) {
                        if (rtmp[n] == u.getPort()) {
                            rtmpLanded.merge(n + 1, 1, Integer::sum);
                        }
                    }
                }
                // the pick weighs every viewer a node has: RTMP viewers even out the HLS and WebSocket ones
                rtmpLanded.forEach((n, count) -> landed.merge(n, count, Integer::sum));
                assertShares("HLS, WebSocket and RTMP", landed, 150);
                assertTrue(rtmpLanded.size() == NODES, "every edge got RTMP viewers: " + rtmpLanded);
                System.out.println("balance: HLS " + hls + ", WebSocket " + ws + ", RTMP by pickEdge " + rtmpLanded
                        + ", all " + landed + "; RTSP DESCRIBEs to node 1 " + described);
                for (int n = 0; n < NODES; n++) {
                    assertEquals((long) rtmpLanded.getOrDefault(n + 1, 0),
                            nodes.get(n).counters().protocol("rtmp").viewers.sum(), "node " + (n + 1) + "'s viewers");
                }
            } finally {
                for (TestRtmpClient c : viewers) {
                    c.close();
                }
            }
        }
    }
}
