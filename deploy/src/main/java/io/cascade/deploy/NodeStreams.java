package io.cascade.deploy;

import com.hazelcast.core.HazelcastInstance;
import io.cascade.cluster.Addresses;
import io.cascade.cluster.NodeLoad;
import io.cascade.edge.fanout.Viewer;
import io.cascade.ingest.Publication;
import io.cascade.media.TrackSummary;
import io.cascade.origin.StreamControl;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * This node's part in the stream and connection verbs ({@link io.cascade.origin.StreamApi}): it answers questions
 * about its own publishers and viewers on its event-bus address ({@link Addresses#streamControl}), and when it runs
 * the API it asks every member the same and gathers the answers, each within {@link #ASK_TIMEOUT_MS}.
 *
 * <p>Questions are JSON objects with an {@code op}: {@code streams} (with {@code names}, or without for all),
 * {@code connections} (with a {@code limit}) and {@code end} (with a {@code name}). Answers hold public stream names
 * and peers only: publications and joined viewers carry no private name and no query.
 */
final class NodeStreams implements StreamControl {
    private static final Logger log = LoggerFactory.getLogger(NodeStreams.class);
    /** How long a node asked about its clients may take; one that has not answered by then is named, not waited for. */
    static final long ASK_TIMEOUT_MS = 2_000;
    /** Names one streams question may carry: far more than a listStreams of a large cluster needs (it sends none). */
    static final int MAX_NAMES = 10_000;
    /** The release this node runs, from the build (version.properties); "unknown" when run from a bare class tree. */
    static final String VERSION = version();

    private final NodeServices node;
    private final HazelcastInstance hazelcast;
    private final Function<String, Double> ingestBytesPerSecond;
    private MessageConsumer<JsonObject> questions;

    /** @param ingestBytesPerSecond a stream's measured media bytes per second (null while unmeasured) */
    NodeStreams(NodeServices node, HazelcastInstance hazelcast, Function<String, Double> ingestBytesPerSecond) {
        this.node = node;
        this.hazelcast = hazelcast;
        this.ingestBytesPerSecond = ingestBytesPerSecond;
    }

    /** Starts answering; completes once the address is known to the cluster. */
    Future<Void> start() {
        questions = node.vertx.eventBus().consumer(Addresses.streamControl(node.nodeId), this::answer);
        return questions.completion();
    }

    // ---- answering: this node's own clients ----

    private void answer(Message<JsonObject> question) {
        JsonObject q = question.body() == null ? new JsonObject() : question.body();
        switch (q.getString("op", "")) {
            case "streams" -> {
                JsonArray names = q.getJsonArray("names");
                if (names != null && names.size() > MAX_NAMES) {
                    question.fail(400, "at most " + MAX_NAMES + " names");
                    return;
                }
                Set<String> wanted = names == null ? null : new HashSet<>(names.stream().map(String::valueOf).toList());
                localStreams(wanted).onComplete(done -> {
                    if (done.succeeded()) {
                        question.reply(done.result());
                    } else {
                        question.fail(500, done.cause().toString());
                    }
                });
            }
            case "connections" -> question.reply(localConnections(Math.max(0, q.getInteger("limit", 0))));
            case "end" -> {
                String name = q.getString("name", "");
                question.reply(new JsonObject().put("ended", node.admission != null && node.admission.endPublisher(name)));
            }
            default -> question.fail(400, "unknown op");
        }
    }

    /** This node's publications of the streams (all when null) with their tracks, and its viewers per protocol. */
    Future<JsonObject> localStreams(Set<String> names) {
        Map<String, Map<String, Integer>> viewers = new TreeMap<>();
        if (node.playback != null) {
            for (Viewer.Info v : node.playback.viewerInfos()) {
                if (names == null || names.contains(v.stream())) {
                    viewers.computeIfAbsent(v.stream(), s -> new TreeMap<>()).merge(v.protocol(), 1, Integer::sum);
                }
            }
        }
        List<Future<JsonObject>> publications = new ArrayList<>();
        if (node.admission != null) {
            for (Publication p : node.admission.publications()) {
                if (names == null || names.contains(p.name())) {
                    publications.add(describe(p));
                }
            }
        }
        return Future.all(publications).map(all -> {
            JsonArray out = new JsonArray();
            publications.forEach(f -> out.add(f.result()));
            JsonObject v = new JsonObject();
            viewers.forEach((stream, byProtocol) -> {
                JsonObject counts = new JsonObject();
                byProtocol.forEach(counts::put);
                v.put(stream, counts);
            });
            return new JsonObject().put("node", node.nodeId).put("publications", out).put("viewers", v);
        });
    }

    private Future<JsonObject> describe(Publication p) {
        JsonObject out = new JsonObject().put("name", p.name()).put("protocol", p.protocol()).put("peer", p.peer())
                .put("startedAt", p.startedAtMillis()).put("bytesIn", p.bytesIn());
        Double bytesPerSecond = ingestBytesPerSecond.apply(p.name());
        if (bytesPerSecond != null) {
            out.put("bitsPerSecond", Math.round(bytesPerSecond * 8));
        }
        return p.cachedFrames().otherwise(List.of()).map(frames -> out.put("tracks", tracks(TrackSummary.of(frames))));
    }

    /** Tracks as the API shows them: what is not known (0) is left out. */
    static JsonArray tracks(List<TrackSummary> summaries) {
        JsonArray out = new JsonArray();
        for (TrackSummary t : summaries) {
            JsonObject j = new JsonObject().put("track", t.track()).put("type", t.type().name().toLowerCase(Locale.ROOT))
                    .put("codec", t.codec().name());
            if (!t.codecs().isEmpty()) {
                j.put("codecs", t.codecs());
            }
            if (t.width() > 0) {
                j.put("width", t.width()).put("height", t.height());
            }
            if (t.frameRate() > 0) {
                j.put("frameRate", t.frameRate());
            }
            if (t.sampleRate() > 0) {
                j.put("sampleRate", t.sampleRate());
            }
            if (t.channels() > 0) {
                j.put("channels", t.channels());
            }
            out.add(j);
        }
        return out;
    }

    /**
     * Every client of this node, publishers first, at most {@code limit}, with {@code total} counting all. Bytes are
     * media bytes: what a publisher sent in, what a viewer was sent (a publisher's out and a viewer's in, control
     * messages only, are not counted per client).
     */
    JsonObject localConnections(int limit) {
        long now = System.currentTimeMillis();
        List<JsonObject> all = new ArrayList<>();
        if (node.admission != null) {
            for (Publication p : node.admission.publications()) {
                all.add(connection("publish", p.protocol(), p.name(), p.peer(), p.bytesIn(), 0, p.startedAtMillis(), now));
            }
        }
        if (node.playback != null) {
            for (Viewer.Info v : node.playback.viewerInfos()) {
                all.add(connection("play", v.protocol(), v.stream(), v.peer(), 0, v.bytesOut(), v.startedAtMillis(), now)
                        .put("state", v.playing() ? "playing" : "waiting"));
            }
        }
        all.sort(Comparator.<JsonObject>comparingInt(c -> "publish".equals(c.getString("direction")) ? 0 : 1)
                .thenComparing(c -> c.getString("stream")).thenComparingLong(c -> c.getLong("startedAt")));
        JsonArray shown = new JsonArray();
        all.stream().limit(limit).forEach(shown::add);
        return new JsonObject().put("node", node.nodeId).put("total", all.size()).put("connections", shown);
    }

    private JsonObject connection(String direction, String protocol, String stream, String peer, long bytesIn,
                                  long bytesOut, long startedAt, long now) {
        return new JsonObject().put("node", node.nodeId).put("direction", direction).put("protocol", protocol)
                .put("stream", stream).put("peer", peer).put("bytesIn", bytesIn).put("bytesOut", bytesOut)
                .put("startedAt", startedAt).put("durationMs", Math.max(0, now - startedAt));
    }

    // ---- asking: StreamControl, for the API ----

    @Override
    public List<String> nodes() {
        return List.copyOf(ClusterMembers.byNode(hazelcast).keySet());
    }

    @Override
    public Future<Answers> streams(Set<String> names) {
        JsonObject q = new JsonObject().put("op", "streams");
        if (names != null) {
            q.put("names", new JsonArray(List.copyOf(names)));
        }
        return ask(nodes(), q);
    }

    @Override
    public Future<Boolean> endPublisher(String owner, String stream) {
        return node.vertx.eventBus().<JsonObject>request(Addresses.streamControl(owner),
                        new JsonObject().put("op", "end").put("name", stream),
                        new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
                .map(reply -> reply.body().getBoolean("ended", false))
                .recover(e -> Future.failedFuture(e instanceof ReplyException r
                        && r.failureType() == ReplyFailure.NO_HANDLERS ? new IllegalStateException(
                        "node " + owner + " is not in the cluster") : e));
    }

    @Override
    public Future<Answers> connections(List<String> nodes, int limit) {
        return ask(nodes, new JsonObject().put("op", "connections").put("limit", limit));
    }

    /** Asks each node at once; gathers what came within the timeout and names the rest. */
    private Future<Answers> ask(List<String> nodes, JsonObject question) {
        List<Future<JsonObject>> each = new ArrayList<>();
        for (String n : nodes) {
            each.add(node.vertx.eventBus().<JsonObject>request(Addresses.streamControl(n), question,
                    new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS)).map(Message::body));
        }
        return Future.join(each).transform(done -> {
            List<JsonObject> answers = new ArrayList<>();
            List<String> unanswered = new ArrayList<>();
            for (int i = 0; i < each.size(); i++) {
                if (each.get(i).succeeded()) {
                    answers.add(each.get(i).result());
                } else {
                    log.debug("node {} did not answer {}: {}", nodes.get(i), question.getString("op"),
                            each.get(i).cause().toString());
                    unanswered.add(nodes.get(i));
                }
            }
            return Future.succeededFuture(new Answers(answers, unanswered));
        });
    }

    @Override
    public JsonObject serverInfo() {
        long now = System.currentTimeMillis();
        JsonArray members = new JsonArray();
        ClusterMembers.byNode(hazelcast).forEach((id, m) -> {
            members.add(new JsonObject().put("node", id).put("roles", new JsonArray(ClusterMembers.roles(m)))
                    .put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort())
                    .put("self", m.localMember()));
        });
        JsonObject info = new JsonObject().put("node", node.nodeId)
                .put("roles", new JsonArray(node.roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).sorted()
                        .toList()))
                .put("version", VERSION).put("startedAt", node.startedAtMillis)
                .put("uptimeMs", Math.max(0, now - node.startedAtMillis))
                .put("publishers", node.admission == null ? 0 : node.admission.publishers())
                .put("viewers", node.playback == null ? 0 : node.playback.viewers())
                .put("members", members);
        NodeLoad load = node.balancing == null ? null : node.balancing.lastReport();
        if (load != null) {
            info.put("load", load.toJson().put("cost", node.balancing.balance().cost(load)));
        }
        return info;
    }

    private static String version() {
        try (InputStream in = NodeStreams.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "").trim();
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            log.debug("version.properties unreadable: {}", e.toString());
        }
        return "unknown";
    }
}
