package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The stream and connection verbs on a cluster of two nodes in one JVM, as an operator uses them: ffmpeg publishes
 * 320x240 25 fps H.264 and AAC to the ingest node (which runs the API), viewers play on the edge node over RTMP
 * (rtmpdump and a Java client) and HTTP-FLV, and the ingest node's API tells what the stream is and who is on it,
 * ends a pull (which connects again unless removed) and then ends ffmpeg's publish. Every publish and play URL
 * carries a query, as tokens travel: no answer may show one.
 */
@Tag("cluster")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamControlIT {
    private static final String PUBLISH_SECRET = "pubSecret=p5Xq";
    private static final String PLAY_SECRET = "playSecret=v7Wz";
    private static final String FLV_SECRET = "flvSecret=f3Rk";
    /** The origin node's data.dir: it keeps the relays it is told of there. */
    @TempDir
    Path dir;
    private int api;
    /** Every answer the API gave, checked at the end for the queries clients sent. */
    private final List<String> answers = new ArrayList<>();

    private JsonObject call(int status, String verb, String... params) throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < params.length; i += 2) {
            q.append(q.isEmpty() ? "?" : "&").append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/" + verb + q);
        answers.add(r.body());
        assertEquals(status, r.statusCode(), verb + q + ": " + r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals(status == 200 ? "SUCCESS" : "FAIL", body.getString("status"), r.body());
        if (status != 200 || !verb.equals("listStreams")) { // listStreams' rows stand alone while every node answers
            assertNotNull(body.getString("description"), r.body());
        }
        return body;
    }

    @Test
    void theApiTellsAStreamAndItsClientsAcrossTheClusterAndEndsItsPublisher() throws Exception {
        int ingestRtmp = Clients.freePort();
        int edgeRtmp = Clients.freePort();
        int edgeHttp = Clients.freePort();
        int ingestCluster = Clients.freePort();
        api = Clients.freePort();
        String cluster = "stream-control-it-" + ingestCluster;
        String stream = "ctl-" + ingestCluster;
        CascadeNode ingest = new CascadeNode(NodeConfig.of(Clients.member(cluster, "ingest-1", "ingest,origin",
                ingestRtmp, ingestCluster, "", "api.port", String.valueOf(api), "data.dir", dir.toString())));
        CascadeNode edge = new CascadeNode(NodeConfig.of(Clients.member(cluster, "edge-1", "edge", edgeRtmp,
                Clients.freePort(), "127.0.0.1:" + ingestCluster, "http.port", String.valueOf(edgeHttp))));
        try {
            ingest.start().await(60, TimeUnit.SECONDS);
            edge.start().await(60, TimeUnit.SECONDS);
            assertEquals(2, ingest.clusterMembers());

            call(404, "getStreamInfo", "name", stream);
            call(404, "shutdownStream", "name", stream);
            call(400, "getStreamInfo", "name", "no/such name");
            call(404, "listConnections", "node", "nobody");

            try (ExternalProcess publisher = ExternalProcess.start("publish-ctl",
                    ffmpegPublish(rtmpUrl(ingestRtmp, stream) + "?" + PUBLISH_SECRET, 150))) {
                Clients.awaitLive(api, stream, true, publisher);
                try (RtmpWatcher watcher = RtmpWatcher.play(edgeRtmp, stream + "?" + PLAY_SECRET, "ctl-watcher");
                     ExternalProcess dump = ExternalProcess.start("rtmpdump-ctl", List.of("rtmpdump", "-q", "-v",
                             "-r", rtmpUrl(edgeRtmp, stream), "-o", "/dev/null"));
                     FlvReader flv = new FlvReader("http://127.0.0.1:" + edgeHttp + "/" + stream + ".flv?"
                             + FLV_SECRET)) {
                    watcher.awaitMedia(50, 20_000, publisher);
                    streamInfoTellsTracksBitrateAndViewers(stream, publisher, dump, flv);
                    listStreamsSumsItUp(stream);
                    connectionsAreListedWithGrowingBytes(stream);
                    serverInfoIsTheIngestNode();
                    aPullIsEndedAndComesBackUnlessRemoved(stream, edgeRtmp, publisher);
                }

                JsonObject ended = call(200, "shutdownStream", "name", stream);
                assertEquals("ingest-1", ended.getJsonObject("data").getString("ownerNode"));
                assertNotEquals(-1, publisher.waitFor(20), "ffmpeg kept publishing after shutdownStream");
                Clients.awaitLive(api, stream, false, publisher);
                call(404, "getStreamInfo", "name", stream);
                call(404, "shutdownStream", "name", stream);
            }
            for (String answer : answers) {
                for (String secret : List.of(PUBLISH_SECRET, PLAY_SECRET, FLV_SECRET, "p5Xq", "v7Wz", "f3Rk")) {
                    assertFalse(answer.contains(secret), "an answer shows a client's query: " + answer);
                }
            }
        } finally {
            edge.stop();
            ingest.stop();
        }
    }

    private void streamInfoTellsTracksBitrateAndViewers(String stream, ExternalProcess publisher, ExternalProcess dump,
                                                        FlvReader flv) throws Exception {
        // viewers join within a moment, and the bitrate needs a few of the metrics' one-second samples
        JsonObject info = Await.until(Duration.ofSeconds(20), () -> call(200, "getStreamInfo", "name", stream)
                        .getJsonObject("data"),
                i -> i.getJsonObject("viewers").getLong("total") == 3 && i.containsKey("bitsPerSecond")
                        && i.getJsonArray("tracks").size() == 2,
                i -> "getStreamInfo never showed 3 viewers, a bitrate and 2 tracks: " + i.encodePrettily() + "\n"
                        + publisher.describe() + "\n" + dump.describe() + "\nFLV bytes read: " + flv.bytes());
        assertEquals("ingest-1", info.getString("ownerNode"));
        assertEquals("rtmp", info.getString("ingestProtocol"));
        assertTrue(info.getLong("startedAt") > 0);
        assertEquals("rtmp", info.getJsonObject("publisher").getString("protocol"));
        assertTrue(info.getJsonObject("publisher").getString("peer").startsWith("127.0.0.1:"), info.encode());

        JsonObject video = info.getJsonArray("tracks").getJsonObject(0);
        assertEquals("video", video.getString("type"));
        assertEquals("H264", video.getString("codec"));
        assertTrue(video.getString("codecs").startsWith("avc1."), video.encode());
        assertEquals(320, video.getInteger("width"));
        assertEquals(240, video.getInteger("height"));
        double fps = video.getDouble("frameRate");
        assertTrue(fps >= 24 && fps <= 26, "25 fps measured as " + fps);
        JsonObject audio = info.getJsonArray("tracks").getJsonObject(1);
        assertEquals("audio", audio.getString("type"));
        assertEquals("AAC", audio.getString("codec"));
        assertEquals(44_100, audio.getInteger("sampleRate"));
        assertEquals(1, audio.getInteger("channels"));

        // ultrafast 320x240 testsrc2 with 64 kbit/s AAC: some hundreds of kbit/s
        long bps = info.getLong("bitsPerSecond");
        assertTrue(bps >= 50_000 && bps <= 3_000_000, "bitrate " + bps + " bit/s");
        assertTrue(info.getLong("bytesIn") > 0, info.encode());

        JsonObject viewers = info.getJsonObject("viewers");
        assertEquals(new JsonObject().put("flv", 1).put("rtmp", 2), viewers.getJsonObject("byProtocol"));
        assertEquals(new JsonObject().put("edge-1", new JsonObject().put("flv", 1).put("rtmp", 2)),
                viewers.getJsonObject("byNode"));
    }

    private void listStreamsSumsItUp(String stream) throws Exception {
        JsonArray rows = call(200, "listStreams").getJsonArray("data");
        JsonObject row = find(rows, "name", stream);
        assertEquals("ingest-1", row.getString("ownerNode"));
        assertEquals("rtmp", row.getString("ingestProtocol"));
        assertTrue(row.getLong("startedAt") > 0);
        assertEquals(3, row.getInteger("viewers"));
        assertEquals("H264", row.getString("videoCodec"));
        assertEquals(320, row.getInteger("width"));
        assertEquals(240, row.getInteger("height"));
        assertEquals("AAC", row.getString("audioCodec"));
        assertTrue(row.getLong("bitsPerSecond") > 0, row.encode());
    }

    private void connectionsAreListedWithGrowingBytes(String stream) throws Exception {
        JsonObject first = call(200, "listConnections").getJsonObject("data");
        assertFalse(first.getBoolean("truncated"), first.encode());
        assertEquals(4, first.getInteger("total"), first.encodePrettily());
        JsonObject publish = only(first.getJsonArray("connections"), "publish", stream);
        assertEquals("ingest-1", publish.getString("node"));
        assertEquals("rtmp", publish.getString("protocol"));
        assertTrue(publish.getString("peer").startsWith("127.0.0.1:"), publish.encode());
        List<JsonObject> plays = all(first.getJsonArray("connections"), "play", stream);
        assertEquals(3, plays.size(), first.encodePrettily());
        assertEquals(2, plays.stream().filter(p -> p.getString("protocol").equals("rtmp")).count());
        assertEquals(1, plays.stream().filter(p -> p.getString("protocol").equals("flv")).count());
        for (JsonObject p : plays) {
            assertEquals("edge-1", p.getString("node"));
            assertEquals("playing", p.getString("state"));
            assertTrue(p.getLong("bytesOut") > 0, p.encode());
        }

        Thread.sleep(1_500);
        JsonObject later = call(200, "listConnections").getJsonObject("data");
        Map<String, JsonObject> byPeer = new HashMap<>();
        later.getJsonArray("connections").forEach(c -> byPeer.put(((JsonObject) c).getString("node") + " "
                + ((JsonObject) c).getString("peer"), (JsonObject) c));
        JsonObject publishLater = byPeer.get("ingest-1 " + publish.getString("peer"));
        assertTrue(publishLater.getLong("bytesIn") > publish.getLong("bytesIn"), publishLater.encode());
        assertTrue(publishLater.getLong("durationMs") > publish.getLong("durationMs"));
        for (JsonObject p : plays) {
            JsonObject again = byPeer.get("edge-1 " + p.getString("peer"));
            assertNotNull(again, "viewer " + p.encode() + " missing from " + later.encodePrettily());
            assertTrue(again.getLong("bytesOut") > p.getLong("bytesOut"), p.encode() + " then " + again.encode());
        }

        JsonObject edgeOnly = call(200, "listConnections", "node", "edge-1").getJsonObject("data");
        assertEquals(3, edgeOnly.getJsonArray("connections").size(), edgeOnly.encodePrettily());
        edgeOnly.getJsonArray("connections").forEach(c -> assertEquals("edge-1", ((JsonObject) c).getString("node")));
    }

    private void serverInfoIsTheIngestNode() throws Exception {
        JsonObject info = call(200, "getServerInfo").getJsonObject("data");
        assertEquals("ingest-1", info.getString("node"));
        assertEquals(new JsonArray().add("ingest").add("origin"), info.getJsonArray("roles"));
        assertTrue(info.getString("version").matches("\\d+\\.\\d+\\.\\d+.*"), info.encode());
        assertTrue(info.getLong("uptimeMs") > 0);
        assertEquals(1, info.getInteger("publishers"));
        JsonArray members = info.getJsonArray("members");
        assertEquals(2, members.size(), members.encode());
        assertEquals("edge-1", members.getJsonObject(0).getString("node"));
        assertEquals(new JsonArray().add("edge"), members.getJsonObject(0).getJsonArray("roles"));
        assertEquals("ingest-1", info.getJsonObject("load").getString("node"));
    }

    /**
     * A pull on the ingest node plays the stream from the edge node and publishes it again as another name:
     * shutdownStream ends its publish and it connects again (a new start); with permanently=1 its configuration goes
     * and the name stays gone.
     */
    private void aPullIsEndedAndComesBackUnlessRemoved(String stream, int edgeRtmp, ExternalProcess publisher)
            throws Exception {
        String pulled = stream + "-pulled";
        String id = call(200, "pullStream", "uri", rtmpUrl(edgeRtmp, stream), "localStreamName", pulled)
                .getJsonObject("data").getString("id");
        Clients.awaitLive(api, pulled, true, publisher);
        long firstStart = call(200, "getStreamInfo", "name", pulled).getJsonObject("data").getLong("startedAt");

        JsonObject ended = call(200, "shutdownStream", "name", pulled);
        assertEquals(new JsonArray(), ended.getJsonObject("data").getJsonArray("removedRelays"));
        assertTrue(ended.getString("description").contains(id), ended.encode());
        Await.until(Duration.ofSeconds(20), () -> {
            HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/getStreamInfo?name=" + pulled);
            return r.statusCode() == 200 ? new JsonObject(r.body()).getJsonObject("data").getLong("startedAt") : 0L;
        }, started -> started > firstStart, started -> "the pull did not publish again after shutdownStream");

        JsonObject removed = call(200, "shutdownStream", "name", pulled, "permanently", "1");
        assertEquals(new JsonArray().add(id), removed.getJsonObject("data").getJsonArray("removedRelays"));
        Clients.awaitLive(api, pulled, false, publisher);
        assertEquals(0, call(200, "listPullPushConfig").getJsonArray("data").size());
        Thread.sleep(3_000); // longer than the pull's first wait before connecting again
        assertFalse(call(200, "listStreams").encode().contains("\"name\":\"" + pulled + "\""),
                "a removed pull published again");
    }

    private static JsonObject find(JsonArray rows, String key, String value) {
        for (int i = 0; i < rows.size(); i++) {
            if (value.equals(rows.getJsonObject(i).getString(key))) {
                return rows.getJsonObject(i);
            }
        }
        return fail("no row with " + key + " " + value + " in " + rows.encodePrettily());
    }

    private static List<JsonObject> all(JsonArray connections, String direction, String stream) {
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            JsonObject c = connections.getJsonObject(i);
            if (direction.equals(c.getString("direction")) && stream.equals(c.getString("stream"))) {
                out.add(c);
            }
        }
        return out;
    }

    private static JsonObject only(JsonArray connections, String direction, String stream) {
        List<JsonObject> found = all(connections, direction, stream);
        assertEquals(1, found.size(), direction + " " + stream + " in " + connections.encodePrettily());
        return found.get(0);
    }

    /** An HTTP-FLV viewer on a thread of its own that reads and counts what it gets until closed. */
    private static final class FlvReader implements AutoCloseable {
        private final AtomicLong bytes = new AtomicLong();
        private final Thread thread;
        private volatile InputStream body;
        private volatile boolean closing;

        FlvReader(String url) {
            thread = new Thread(() -> read(url), "flv-reader");
            thread.setDaemon(true);
            thread.start();
        }

        private void read(String url) {
            try {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                body = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofInputStream()).body();
                byte[] buffer = new byte[16 << 10];
                for (int n; !closing && (n = body.read(buffer)) >= 0; ) {
                    bytes.addAndGet(n);
                }
            } catch (Exception e) {
                if (!closing) {
                    bytes.set(-1);
                }
            }
        }

        long bytes() {
            return bytes.get();
        }

        @Override
        public void close() throws Exception {
            closing = true;
            InputStream b = body;
            if (b != null) {
                b.close();
            }
            thread.join(2_000);
        }
    }
}
