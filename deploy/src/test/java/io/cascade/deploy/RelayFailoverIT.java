package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pull belongs to the cluster, not to a node: two ingest nodes in JVMs of their own and an origin+edge node in the
 * test's. The pull (from nginx-rtmp) runs on one of the ingest nodes; that node is SIGKILLed, the other one runs the
 * pull within 5 s, and the edge's viewer, on the same connection, gets the stream again.
 */
@Tag("cluster")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RelayFailoverIT {
    /** What the relays issue promises: another node runs the pull within 5 s. */
    private static final long MOVE_MS = 5_000;
    /** And the edge's viewers resume as after a publisher failover. */
    private static final long RESUME_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void aPullMovesToAnotherIngestNodeWhenItsNodeIsKilled() throws Exception {
        List<ExternalProcess> processes = new ArrayList<>();
        CascadeNode edge = null;
        try (NginxRtmp nginx = NginxRtmp.start(dir);
             ExternalProcess source = ExternalProcess.start("publish-nginx",
                     Clients.ffmpegPublish(nginx.url("src"), 120))) {
            processes.add(source);
            int clusterA = Clients.freePort();
            String cluster = "relay-failover-" + clusterA;
            Map<String, ExternalProcess> ingest = new java.util.HashMap<>();
            ExternalProcess a = ExternalProcess.start("node-ingest-a", Clients.nodeProcess(Clients.flags(
                    Clients.member(cluster, "ingest-a", "ingest", Clients.freePort(), clusterA, ""))));
            processes.add(a);
            ingest.put("ingest-a", a);
            a.awaitOutput("cascade node ingest-a ready", 60);
            ExternalProcess b = ExternalProcess.start("node-ingest-b", Clients.nodeProcess(Clients.flags(
                    Clients.member(cluster, "ingest-b", "ingest", Clients.freePort(), Clients.freePort(),
                            "127.0.0.1:" + clusterA))));
            processes.add(b);
            ingest.put("ingest-b", b);
            int api = Clients.freePort();
            int rtmpEdge = Clients.freePort();
            CascadeNode started = new CascadeNode(NodeConfig.of(Clients.member(cluster, "edge", "origin,edge",
                    rtmpEdge, Clients.freePort(), "127.0.0.1:" + clusterA, "api.port", String.valueOf(api),
                    "data.dir", dir.resolve("data").toString())));
            edge = started;
            started.start().await(60, TimeUnit.SECONDS);
            b.awaitOutput("cascade node ingest-b ready", 60);
            Await.until(Duration.ofSeconds(30), started::clusterMembers, n -> n == 3, n -> n + " members");

            JsonObject added = new JsonObject(Http.getText("http://127.0.0.1:" + api + "/api/pullStream?uri="
                    + java.net.URLEncoder.encode(nginx.url("src"), java.nio.charset.StandardCharsets.UTF_8)
                    + "&localStreamName=moved").body());
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            String id = added.getJsonObject("data").getString("id");
            JsonObject first = awaitRunning(api, id, null);
            String runner = first.getString("node");
            assertTrue(ingest.containsKey(runner), "a pull runs on an ingest node: " + first.encode());

            try (RtmpWatcher viewer = RtmpWatcher.play(rtmpEdge, "moved", "viewer-edge")) {
                viewer.awaitMedia(50, 30_000, source);
                long killed = System.nanoTime();
                ingest.get(runner).kill();
                JsonObject moved = awaitRunning(api, id, runner);
                long movedMs = (System.nanoTime() - killed) / 1_000_000;
                assertNotEquals(runner, moved.getString("node"));
                assertTrue(movedMs <= MOVE_MS, "the pull ran again " + movedMs + " ms after its node was killed");
                long resumed = viewer.awaitMediaAfter(killed, killed + (MOVE_MS + RESUME_MS) * 1_000_000, source);
                System.out.printf("relay failover: pull %s on %s, killed; running on %s after %d ms, edge viewer back"
                        + " %d ms after the kill%n", id, runner, moved.getString("node"), movedMs,
                        (resumed - killed) / 1_000_000);
            }
        } finally {
            if (edge != null) {
                edge.stop();
            }
            for (ExternalProcess p : processes) {
                p.kill();
            }
        }
    }

    @Test
    void aPushMovesToAnotherEdgeNodeWhenItsNodeIsKilled() throws Exception {
        List<ExternalProcess> processes = new ArrayList<>();
        CascadeNode origin = null;
        try (NginxRtmp nginx = NginxRtmp.start(dir)) {
            int clusterO = Clients.freePort();
            String cluster = "push-failover-" + clusterO;
            int api = Clients.freePort();
            int rtmpO = Clients.freePort();
            CascadeNode started = new CascadeNode(NodeConfig.of(Clients.member(cluster, "origin", "ingest,origin",
                    rtmpO, clusterO, "", "api.port", String.valueOf(api), "data.dir", dir.resolve("data").toString())));
            origin = started;
            started.start().await(60, TimeUnit.SECONDS);
            Map<String, ExternalProcess> edges = new java.util.HashMap<>();
            for (String name : List.of("edge-a", "edge-b")) {
                ExternalProcess p = ExternalProcess.start("node-" + name, Clients.nodeProcess(Clients.flags(
                        Clients.member(cluster, name, "edge", Clients.freePort(), Clients.freePort(),
                                "127.0.0.1:" + clusterO))));
                processes.add(p);
                edges.put(name, p);
            }
            for (Map.Entry<String, ExternalProcess> e : edges.entrySet()) {
                e.getValue().awaitOutput("cascade node " + e.getKey() + " ready", 60);
            }
            Await.until(Duration.ofSeconds(30), started::clusterMembers, n -> n == 3, n -> n + " members");
            ExternalProcess publisher = ExternalProcess.start("publish-origin",
                    Clients.ffmpegPublish(Clients.rtmpUrl(rtmpO, "out"), 120));
            processes.add(publisher);
            Clients.awaitLive(api, "out", true, publisher);

            JsonObject added = new JsonObject(Http.getText("http://127.0.0.1:" + api + "/api/pushStream?uri="
                    + java.net.URLEncoder.encode("rtmp://127.0.0.1:" + nginx.port + "/live",
                    java.nio.charset.StandardCharsets.UTF_8) + "&localStreamName=out&targetStreamName=cdn").body());
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            String id = added.getJsonObject("data").getString("id");
            String runner = awaitRunning(api, id, null).getString("node");
            assertTrue(edges.containsKey(runner), "a push runs on an edge node: " + runner);
            Clients.assertDecodes("at-nginx", Clients.ffmpegDecode(nginx.url("cdn"), 4), 4);

            long killed = System.nanoTime();
            edges.get(runner).kill();
            JsonObject moved = awaitRunning(api, id, runner);
            long movedMs = (System.nanoTime() - killed) / 1_000_000;
            assertTrue(movedMs <= MOVE_MS, "the push ran again " + movedMs + " ms after its node was killed");
            Clients.assertDecodes("at-nginx-after", Clients.ffmpegDecode(nginx.url("cdn"), 4), 4);
            System.out.printf("relay failover: push %s on %s, killed; running on %s after %d ms%n", id, runner,
                    moved.getString("node"), movedMs);
        } finally {
            if (origin != null) {
                origin.stop();
            }
            for (ExternalProcess p : processes) {
                p.kill();
            }
        }
    }

    /** Waits until the relay runs on a node other than {@code notOn} (any node when null); answers its listing. */
    private static JsonObject awaitRunning(int api, String id, String notOn) throws Exception {
        return Await.until(Duration.ofSeconds(20), () -> {
            JsonObject list = new JsonObject(Http.getText("http://127.0.0.1:" + api + "/api/listPullPushConfig").body());
            for (Object o : list.getJsonArray("data")) {
                JsonObject r = (JsonObject) o;
                if (r.getString("id").equals(id)) {
                    return r;
                }
            }
            return new JsonObject();
        }, r -> "running".equals(r.getJsonObject("status", new JsonObject()).getString("state"))
                && !r.getString("node", "").equals(notOn), r -> "the pull is not running elsewhere: " + r.encode());
    }
}
