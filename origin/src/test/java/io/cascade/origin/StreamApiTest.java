package io.cascade.origin;

import io.cascade.cluster.StreamRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the stream verbs put the nodes' answers together: pure functions over JSON. */
class StreamApiTest {
    static final StreamRecord LIVE = new StreamRecord("cam1", "ingest-1", "rtmp", 1_700_000_000_000L);

    static JsonObject publication(String name) {
        return new JsonObject().put("name", name).put("protocol", "rtmp").put("peer", "127.0.0.1:50000")
                .put("startedAt", 1_700_000_000_100L).put("bytesIn", 123_456L).put("bitsPerSecond", 400_000L)
                .put("tracks", new JsonArray()
                        .add(new JsonObject().put("track", 0).put("type", "video").put("codec", "H264")
                                .put("codecs", "avc1.42C00D").put("width", 320).put("height", 240)
                                .put("frameRate", 25.0))
                        .add(new JsonObject().put("track", 1).put("type", "audio").put("codec", "AAC")
                                .put("codecs", "mp4a.40.2").put("sampleRate", 44_100).put("channels", 1)));
    }

    static JsonObject nodeAnswer(String node, JsonArray publications, JsonObject viewers) {
        return new JsonObject().put("node", node).put("publications", publications).put("viewers", viewers);
    }

    @Test
    void streamInfoTakesThePublicationFromTheOwnerAndViewersFromEveryNode() {
        StreamControl.Answers answers = new StreamControl.Answers(List.of(
                nodeAnswer("ingest-1", new JsonArray().add(publication("cam1")).add(publication("other")),
                        new JsonObject().put("cam1", new JsonObject().put("rtmp", 1))),
                nodeAnswer("edge-1", new JsonArray(), new JsonObject()
                        .put("cam1", new JsonObject().put("rtmp", 2).put("flv", 1).put("ws", 0))
                        .put("other", new JsonObject().put("rtmp", 7))),
                // a publication of the name on a node the registry does not name (a healed partition's loser)
                nodeAnswer("edge-2", new JsonArray().add(publication("cam1").put("peer", "10.9.9.9:1")),
                        new JsonObject())),
                List.of("edge-3"));
        StreamApi.Described d = StreamApi.describe(LIVE, answers);
        assertTrue(d.ownerAnswered());
        assertTrue(d.published());
        JsonObject info = d.info();
        assertEquals("cam1", info.getString("name"));
        assertEquals("ingest-1", info.getString("ownerNode"));
        assertEquals("rtmp", info.getString("ingestProtocol"));
        assertEquals(1_700_000_000_000L, info.getLong("startedAt"));
        assertEquals("127.0.0.1:50000", info.getJsonObject("publisher").getString("peer"));
        assertEquals(400_000L, info.getLong("bitsPerSecond"));
        assertEquals(123_456L, info.getLong("bytesIn"));
        assertEquals(320, info.getJsonArray("tracks").getJsonObject(0).getInteger("width"));
        JsonObject viewers = info.getJsonObject("viewers");
        assertEquals(4L, viewers.getLong("total"));
        assertEquals(new JsonObject().put("flv", 1L).put("rtmp", 3L), viewers.getJsonObject("byProtocol"));
        assertEquals(new JsonObject().put("edge-1", new JsonObject().put("flv", 1L).put("rtmp", 2L))
                .put("ingest-1", new JsonObject().put("rtmp", 1L)), viewers.getJsonObject("byNode"));
    }

    @Test
    void anOwnerWithoutThePublicationIsNotLiveAndASilentOneIsUnknown() {
        StreamApi.Described gone = StreamApi.describe(LIVE, new StreamControl.Answers(
                List.of(nodeAnswer("ingest-1", new JsonArray(), new JsonObject())), List.of()));
        assertTrue(gone.ownerAnswered());
        assertFalse(gone.published());

        StreamApi.Described silent = StreamApi.describe(LIVE, new StreamControl.Answers(List.of(), List.of("ingest-1")));
        assertFalse(silent.ownerAnswered());
        assertFalse(silent.info().containsKey("tracks"));
        assertEquals(0L, silent.info().getJsonObject("viewers").getLong("total"));
    }

    @Test
    void listStreamsRowsKeepTheirFieldsAndAddABriefOfTheRest() {
        JsonObject info = StreamApi.describe(LIVE, new StreamControl.Answers(List.of(nodeAnswer("ingest-1",
                new JsonArray().add(publication("cam1")), new JsonObject().put("cam1",
                        new JsonObject().put("rtmp", 2)))), List.of())).info();
        JsonObject row = StreamApi.summary(info);
        assertEquals(List.of("name", "ownerNode", "ingestProtocol", "startedAt", "viewers", "viewersByProtocol",
                "viewersByNode", "bitsPerSecond", "videoCodec", "width", "height", "frameRate", "audioCodec",
                "sampleRate", "channels"), List.copyOf(row.fieldNames()));
        assertEquals(2L, row.getLong("viewers"));
        assertEquals(new JsonObject().put("rtmp", 2L), row.getJsonObject("viewersByProtocol"));
        assertEquals(new JsonObject().put("ingest-1", new JsonObject().put("rtmp", 2L)),
                row.getJsonObject("viewersByNode"));
        assertEquals("H264", row.getString("videoCodec"));
        assertEquals(25.0, row.getDouble("frameRate"));
        assertEquals(44_100, row.getInteger("sampleRate"));

        JsonObject unknown = StreamApi.summary(StreamApi.describe(LIVE,
                new StreamControl.Answers(List.of(), List.of("ingest-1"))).info());
        assertEquals(List.of("name", "ownerNode", "ingestProtocol", "startedAt", "viewers", "viewersByProtocol",
                "viewersByNode"), List.copyOf(unknown.fieldNames()));
    }

    static JsonObject connection(String node, int i) {
        return new JsonObject().put("node", node).put("direction", "play").put("protocol", "rtmp")
                .put("stream", "cam1").put("peer", "127.0.0.1:" + (40_000 + i));
    }

    @Test
    void connectionsAreBoundedAndSayWhenSomeWereLeftOut() {
        JsonArray a = new JsonArray();
        for (int i = 0; i < 3; i++) {
            a.add(connection("b-node", i));
        }
        JsonArray b = new JsonArray();
        for (int i = 0; i < 2; i++) {
            b.add(connection("a-node", i));
        }
        StreamControl.Answers answers = new StreamControl.Answers(List.of(
                new JsonObject().put("node", "b-node").put("total", 3).put("connections", a),
                // a node that had more than it sent (its own bound)
                new JsonObject().put("node", "a-node").put("total", 9).put("connections", b)), List.of("c-node"));
        JsonObject all = StreamApi.connections(answers, 100);
        assertEquals(5, all.getJsonArray("connections").size());
        assertEquals("a-node", all.getJsonArray("connections").getJsonObject(0).getString("node"), "by node name");
        assertEquals(12L, all.getLong("total"));
        assertTrue(all.getBoolean("truncated"));
        assertEquals(new JsonArray().add("c-node"), all.getJsonArray("unansweredNodes"));

        JsonObject bounded = StreamApi.connections(new StreamControl.Answers(List.of(
                new JsonObject().put("node", "b-node").put("total", 3).put("connections", a)), List.of()), 2);
        assertEquals(2, bounded.getJsonArray("connections").size());
        assertEquals(3L, bounded.getLong("total"));
        assertTrue(bounded.getBoolean("truncated"));
        assertNull(bounded.getJsonArray("unansweredNodes"));

        JsonObject whole = StreamApi.connections(new StreamControl.Answers(List.of(
                new JsonObject().put("node", "b-node").put("total", 3).put("connections", a)), List.of()), 3);
        assertFalse(whole.getBoolean("truncated"));
    }

    @Test
    void pullsAreFoundByTheNameTheyPublish() {
        JsonArray relays = new JsonArray()
                .add(new JsonObject().put("id", "pull-cam1-1").put("kind", "pull").put("localStreamName", "cam1"))
                .add(new JsonObject().put("id", "push-cam1-2").put("kind", "push").put("localStreamName", "cam1"))
                .add(new JsonObject().put("id", "pull-cam2-3").put("kind", "pull").put("localStreamName", "cam2"));
        assertEquals(List.of("pull-cam1-1"), StreamApi.pullsOf(relays, "cam1"));
        assertEquals(List.of(), StreamApi.pullsOf(relays, "cam3"));
    }

    @Test
    void permanentlyIsZeroOrOne() {
        assertEquals(Boolean.FALSE, StreamApi.flag(null));
        assertEquals(Boolean.FALSE, StreamApi.flag("0"));
        assertEquals(Boolean.TRUE, StreamApi.flag("1"));
        assertEquals(Boolean.TRUE, StreamApi.flag("true"));
        assertNull(StreamApi.flag("2"));
        assertNull(StreamApi.flag("yes please"));
    }
}
