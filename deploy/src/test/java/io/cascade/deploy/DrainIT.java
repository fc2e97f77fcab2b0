package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load reports, the pick and a drain on a three-node loopback cluster: an ingest and origin node that publishers use,
 * and two edges. The pick answers the least-loaded edge; a drained edge turns not ready, sends new HLS and RTSP
 * viewers to the other edge (an ffmpeg reading HLS through it moves there at its next playlist and decodes on without
 * a gap), and after its grace period closes the viewers it still has; undrained, it takes viewers again.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DrainIT {
    private static final long GRACE_MS = 8_000;
    private static CascadeNode origin;
    private static CascadeNode edgeA;
    private static CascadeNode edgeB;
    private static int originRtmp;
    private static int api;
    private static int aRtmp;
    private static int aHttp;
    private static int aRtsp;
    private static int bHttp;

    @BeforeAll
    static void startCluster() throws Exception {
        int cluster = Clients.freePort();
        String name = "drain-" + cluster;
        originRtmp = Clients.freePort();
        api = Clients.freePort();
        aRtmp = Clients.freePort();
        aHttp = Clients.freePort();
        aRtsp = Clients.freePort();
        bHttp = Clients.freePort();
        int udp = 20000 + 2 * (cluster % 2000);
        origin = new CascadeNode(NodeConfig.of(Clients.member(name, "drain-origin", "ingest,origin", originRtmp,
                cluster, "", "api.port", String.valueOf(api))));
        edgeA = new CascadeNode(NodeConfig.of(Clients.member(name, "drain-a", "edge", aRtmp, Clients.freePort(),
                "127.0.0.1:" + cluster, "http.port", String.valueOf(aHttp), "rtsp.port", String.valueOf(aRtsp),
                "rtsp.udp.ports", udp + "-" + (udp + 49), "segment.target.ms", "1000",
                "drain.grace.ms", String.valueOf(GRACE_MS))));
        edgeB = new CascadeNode(NodeConfig.of(Clients.member(name, "drain-b", "edge", Clients.freePort(),
                Clients.freePort(), "127.0.0.1:" + cluster, "http.port", String.valueOf(bHttp),
                "segment.target.ms", "1000"))); // no RTSP listener: a pick for RTSP can only be edge A
        origin.start().await(60, TimeUnit.SECONDS);
        edgeA.start().await(60, TimeUnit.SECONDS);
        edgeB.start().await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopCluster() {
        for (CascadeNode n : new CascadeNode[]{edgeB, edgeA, origin}) {
            if (n != null) {
                n.stop();
            }
        }
    }

    private static JsonObject api(String verb) throws Exception {
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/" + verb);
        return new JsonObject(r.body()).put("httpStatus", r.statusCode());
    }

    /** The nodes' load reports, by name, once every node has reported. */
    private static JsonObject loads() throws Exception {
        JsonArray nodes = Await.until(Duration.ofSeconds(10), () -> api("listNodes").getJsonArray("data"),
                a -> a.size() == 3, a -> "three nodes report: " + a);
        JsonObject byName = new JsonObject();
        nodes.forEach(n -> byName.put(((JsonObject) n).getString("node"), n));
        return byName;
    }

    @Test
    void everyNodeReportsItsLoadAndThePickAnswersAnEdgeThatServesTheProtocol() throws Exception {
        JsonObject loads = loads();
        assertEquals(new JsonArray(List.of("ingest", "origin")), loads.getJsonObject("drain-origin")
                .getJsonArray("roles"));
        assertEquals("http://127.0.0.1:" + aHttp + "/{stream}/index.m3u8", loads.getJsonObject("drain-a")
                .getJsonObject("play").getString("hls"));
        assertEquals("rtmp://127.0.0.1:" + originRtmp + "/live/{stream}", loads.getJsonObject("drain-origin")
                .getJsonObject("publish").getString("rtmp"));
        JsonObject rtsp = api("pickEdge?stream=cam&protocol=rtsp").getJsonObject("data");
        assertEquals("rtsp://127.0.0.1:" + aRtsp + "/cam", rtsp.getString("url"), "only edge A listens for RTSP here");
        String hls = api("pickEdge?stream=cam&protocol=hls").getJsonObject("data").getString("url");
        assertTrue(hls.equals("http://127.0.0.1:" + aHttp + "/cam/index.m3u8")
                || hls.equals("http://127.0.0.1:" + bHttp + "/cam/index.m3u8"), hls);
        assertEquals("rtmp://127.0.0.1:" + originRtmp + "/live/cam",
                api("pickIngest?stream=cam&protocol=rtmp").getJsonObject("data").getString("url"));
        assertEquals(400, api("pickEdge?stream=cam&protocol=gopher").getInteger("httpStatus"));
        assertEquals(400, api("pickEdge?stream=../x&protocol=hls").getInteger("httpStatus"));
        assertEquals(404, api("drainNode?node=nobody").getInteger("httpStatus"));
    }

    @Test
    void aDrainedEdgeSendsItsViewersToTheOtherEdgeAndClosesTheRestAfterItsGrace() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("drain-publish", ffmpegPublish(rtmpUrl(originRtmp, "show"),
                120))) {
            Clients.awaitLive(api, "show", true, pub);
            String aHls = "http://127.0.0.1:" + aHttp + "/show/index.m3u8";
            Await.until(Duration.ofSeconds(20), () -> Http.getText("http://127.0.0.1:" + aHttp
                    + "/show/v/index.m3u8").body(), p -> p.lines().filter(l -> l.endsWith(".m4s")).count() >= 3,
                    p -> "segments on A: " + p);
            try (ExternalProcess hls = ExternalProcess.start("drain-hls-reader", ffmpegDecode(aHls, 30));
                 ExternalProcess rtmp = ExternalProcess.start("drain-rtmp-viewer", ffmpegDecode(rtmpUrl(aRtmp,
                         "show"), 60))) {
                Thread.sleep(5_000);
                assertEquals(200, Http.getText("http://127.0.0.1:" + aHttp + "/readyz").statusCode());
                JsonObject drained = api("drainNode?node=drain-a");
                assertEquals("SUCCESS", drained.getString("status"), drained.encode());
                long drainedAt = System.nanoTime();
                assertEquals(503, Http.getText("http://127.0.0.1:" + aHttp + "/readyz").statusCode());
                HttpResponse<byte[]> moved = Http.get(aHls + "?x=1");
                assertEquals(302, moved.statusCode());
                assertEquals("http://127.0.0.1:" + bHttp + "/show/index.m3u8?x=1&cascade_placed=1",
                        moved.headers().firstValue("Location").orElse(""));
                assertTrue(loads().getJsonObject("drain-a").getBoolean("draining"));
                assertNotEquals("drain-a", api("pickEdge?stream=show&protocol=hls").getJsonObject("data")
                        .getString("node"), "a draining node is picked for nothing");

                List<Integer> readiness = new ArrayList<>();
                while (System.nanoTime() - drainedAt < TimeUnit.MILLISECONDS.toNanos(GRACE_MS + 3_000)) {
                    readiness.add(Http.getText("http://127.0.0.1:" + aHttp + "/readyz").statusCode());
                    Thread.sleep(500);
                }
                assertTrue(readiness.stream().allMatch(s -> s == 503), "not ready throughout: " + readiness);
                int left = Await.until(Duration.ofSeconds(5), () -> edgeA.viewersHere(), n -> n == 0,
                        n -> n + " viewers still on the drained edge");
                assertEquals(0, left);
                assertTrue(rtmp.exited(10), "the RTMP viewer was closed: " + rtmp.describe());
                assertTrue(hls.exited(40), "the HLS reader ends by itself: " + hls.describe());
                assertEquals(0, hls.exitCode(), "the HLS reader decoded to its end: " + hls.describe());
                long video = Clients.countLines(hls.stdout(), "0,");
                assertTrue(video >= 30 * 25 * 9 / 10, "30 s of video with no gap: " + video + " frames");
                assertFalse(hls.stderr().contains("rror"), "no decode error: " + hls.describe());
                assertTrue(edgeB.counters().protocol("http").bytesOut.sum() > 0, "B served the moved reader");
            } finally {
                JsonObject undrained = api("undrainNode?node=drain-a");
                assertEquals("SUCCESS", undrained.getString("status"), undrained.encode());
            }
            assertEquals(200, Http.getText("http://127.0.0.1:" + aHttp + "/readyz").statusCode());
            assertEquals(200, Http.get("http://127.0.0.1:" + aHttp + "/show/index.m3u8").statusCode());
        }
    }
}
