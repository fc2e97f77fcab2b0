package io.cascade.origin;

import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.relay.RelayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream verbs over HTTP on loopback, with the cluster played by fakes: what each refusal answers, that nothing
 * is ended or removed on a refusal, and that shutdownStream reaches the right node and relay.
 */
class StreamApiHttpTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Vertx vertx;
    private int port;
    private final Map<String, StreamRecord> live = new ConcurrentHashMap<>();
    private final List<String> ended = new CopyOnWriteArrayList<>();
    private final List<String> removed = new CopyOnWriteArrayList<>();
    private final JsonArray relays = new JsonArray();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        StreamApi streams = new StreamApi(new Registry(), new Control(), new Relays());
        port = new ApiServer(vertx, null, "", FileOutputControl.NONE, null, streams)
                .listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> call(String method, String verbAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/" + verbAndQuery))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject envelope(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals(status == 200 ? "SUCCESS" : "FAIL", body.getString("status"), r.body());
        assertTrue(body.getString("description") != null && !body.getString("description").isEmpty(), r.body());
        return body;
    }

    @Test
    void getStreamInfoAnswersALiveStreamByEitherNameAndRefusesOthers() throws Exception {
        live.put("cam1", StreamApiTest.LIVE);
        JsonObject info = envelope(call("GET", "getStreamInfo?name=cam1"), 200).getJsonObject("data");
        assertEquals(320, info.getJsonArray("tracks").getJsonObject(0).getInteger("width"));
        assertEquals(2L, info.getJsonObject("viewers").getLong("total"));
        assertEquals("cam1", envelope(call("POST", "getstreaminfo?localStreamName=cam1"), 200)
                .getJsonObject("data").getString("name"), "EMS's parameter, and the verb in any case");

        assertTrue(envelope(call("GET", "getStreamInfo?name=nobody"), 404).getString("description")
                .contains("not live"));
        envelope(call("GET", "getStreamInfo"), 400);
        envelope(call("GET", "getStreamInfo?name=a/b"), 400);
    }

    @Test
    void listStreamsRowsCarryTheSummary() throws Exception {
        live.put("cam1", StreamApiTest.LIVE);
        HttpResponse<String> listed = call("GET", "listStreams");
        assertEquals(200, listed.statusCode(), listed.body());
        // no description while every node answered: the CLI prints the rows alone, as it always did
        assertEquals(Set.of("status", "data"), new JsonObject(listed.body()).fieldNames());
        JsonArray rows = new JsonObject(listed.body()).getJsonArray("data");
        assertEquals(1, rows.size());
        assertEquals("ingest-1", rows.getJsonObject(0).getString("ownerNode"));
        assertEquals(240, rows.getJsonObject(0).getInteger("height"));
        assertEquals(405, call("POST", "listStreams").statusCode(), "GET only, as before");
    }

    @Test
    void shutdownStreamEndsThePublisherOnItsOwnerAndRemovesItsPullOnlyWhenToldTo() throws Exception {
        live.put("cam1", StreamApiTest.LIVE);
        relays.add(new RelayConfig("pull-cam1-1", RelayConfig.Kind.PULL, "rtmp://127.0.0.1/live/src", "cam1", "", true,
                Map.of()).toJson());

        envelope(call("GET", "shutdownStream?name=cam1&permanently=2"), 400);
        envelope(call("GET", "shutdownStream?name=gone"), 404);
        assertEquals(List.of(), ended, "a refusal ends nothing");

        JsonObject kept = envelope(call("GET", "shutdownStream?name=cam1"), 200);
        assertEquals(List.of("ingest-1/cam1"), ended);
        assertEquals(List.of(), removed);
        assertTrue(kept.getString("description").contains("pull-cam1-1 connects again"), kept.encode());

        JsonObject gone = envelope(call("POST", "shutdownStream?localStreamName=cam1&permanently=1"), 200);
        assertEquals(List.of("pull-cam1-1"), removed);
        assertEquals(new JsonArray().add("pull-cam1-1"), gone.getJsonObject("data").getJsonArray("removedRelays"));
    }

    @Test
    void listConnectionsAsksEveryNodeOrTheOneNamed() throws Exception {
        JsonObject all = envelope(call("GET", "listConnections"), 200).getJsonObject("data");
        assertEquals(2, all.getJsonArray("connections").size());
        assertFalse(all.getBoolean("truncated"));
        JsonObject one = envelope(call("GET", "listConnections?node=edge-1"), 200).getJsonObject("data");
        assertEquals(1, one.getJsonArray("connections").size());
        assertEquals("edge-1", one.getJsonArray("connections").getJsonObject(0).getString("node"));
        envelope(call("GET", "listConnections?node=elsewhere"), 404);
        envelope(call("GET", "listConnections?node="), 400);
    }

    @Test
    void getServerInfoIsTheAnsweringNode() throws Exception {
        assertEquals("ingest-1", envelope(call("GET", "getServerInfo"), 200).getJsonObject("data").getString("node"));
    }

    /** The registry: only find and list are asked by these verbs. */
    private final class Registry implements StreamRegistry {
        @Override
        public Future<Boolean> claim(StreamRecord record) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Set<String>> reconcile() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> release(String name, String ownerNode) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<StreamRecord> find(String name) {
            return Future.succeededFuture(live.get(name));
        }

        @Override
        public Future<List<StreamRecord>> list() {
            return Future.succeededFuture(List.copyOf(live.values()));
        }

        @Override
        public Future<List<StreamRecord>> findAll(Set<String> names) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<StreamTimeline> timeline(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void saveTimeline(String name, StreamTimeline timeline) {
            throw new UnsupportedOperationException();
        }
    }

    /** Two nodes: ingest-1 publishes what the registry lists, edge-1 has two RTMP viewers of cam1. */
    private final class Control implements StreamControl {
        @Override
        public List<String> nodes() {
            return List.of("ingest-1", "edge-1");
        }

        @Override
        public Future<Answers> streams(Set<String> names) {
            JsonArray publications = new JsonArray();
            live.keySet().forEach(n -> publications.add(StreamApiTest.publication(n)));
            return Future.succeededFuture(new Answers(List.of(
                    StreamApiTest.nodeAnswer("ingest-1", publications, new JsonObject()),
                    StreamApiTest.nodeAnswer("edge-1", new JsonArray(), new JsonObject()
                            .put("cam1", new JsonObject().put("rtmp", 2)))), List.of()));
        }

        @Override
        public Future<Boolean> endPublisher(String node, String stream) {
            ended.add(node + "/" + stream);
            return Future.succeededFuture(live.containsKey(stream));
        }

        @Override
        public Future<Answers> connections(List<String> nodes, int limit) {
            List<JsonObject> out = new ArrayList<>();
            for (String n : nodes) {
                out.add(new JsonObject().put("node", n).put("total", 1)
                        .put("connections", new JsonArray().add(StreamApiTest.connection(n, 1))));
            }
            return Future.succeededFuture(new Answers(out, List.of()));
        }

        @Override
        public JsonObject serverInfo() {
            return new JsonObject().put("node", "ingest-1");
        }
    }

    private final class Relays implements RelayControl {
        @Override
        public List<String> optionNames() {
            return List.of();
        }

        @Override
        public Future<RelayConfig> add(RelayConfig config) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<JsonArray> configs() {
            return Future.succeededFuture(relays.copy());
        }

        @Override
        public Future<JsonArray> list() {
            return Future.succeededFuture(relays.copy());
        }

        @Override
        public Future<Boolean> remove(String id) {
            removed.add(id);
            return Future.succeededFuture(true);
        }
    }
}
