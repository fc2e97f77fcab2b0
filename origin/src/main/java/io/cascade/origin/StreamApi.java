package io.cascade.origin;

import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.media.StreamNames;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The verbs about live streams and the clients on them, with EMS's names: {@code listStreams} (each stream with a
 * summary of what {@code getStreamInfo} tells), {@code getStreamInfo name=..} (owner, protocol, start, tracks,
 * bitrate, viewers per node and protocol), {@code shutdownStream name=.. [permanently=1]} (ends the publisher wherever
 * it is; permanently also removes the pull that publishes it), {@code listConnections [node=..]} (every client of
 * every node, bounded) and {@code getServerInfo} (the node that answers). EMS's {@code localStreamName} is taken for
 * {@code name}. Whichever origin node is asked, the answer covers the whole cluster ({@link StreamControl}).
 *
 * <p>Names are public names: a private (ingest point) name is never in the registry, on a publication or on a joined
 * viewer, so none of these answers can show one; nor a token, which lives in the query a client sent and is no part
 * of any stream name, peer or record listed.
 */
public final class StreamApi implements ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(StreamApi.class);
    /** Connections one listConnections answer holds at most: a page of JSON a person or script can still take in. */
    static final int MAX_CONNECTIONS = 10_000;

    private final StreamRegistry registry;
    private final StreamControl control;
    private final RelayControl relays;

    public StreamApi(StreamRegistry registry, StreamControl control, RelayControl relays) {
        this.registry = registry;
        this.control = control;
        this.relays = relays;
    }

    @Override
    public void routes(Router router) {
        // GET only, as it always was: the CLI's answer to a 405 (ask again with GET) stays exercised
        router.get("/api/listStreams").handler(this::listStreams);
        router.route("/api/getStreamInfo").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::getStreamInfo);
        router.route("/api/shutdownStream").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::shutdownStream);
        router.route("/api/listConnections").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(this::listConnections);
        router.route("/api/getServerInfo").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::getServerInfo);
    }

    private void listStreams(RoutingContext ctx) {
        registry.list().onComplete(listed -> {
            if (listed.failed()) {
                ApiServer.fail(ctx, 503, listed.cause().getMessage());
                return;
            }
            List<StreamRecord> records = new ArrayList<>(listed.result());
            records.sort(Comparator.comparing(StreamRecord::name));
            Future<StreamControl.Answers> gathered = records.isEmpty()
                    ? Future.succeededFuture(new StreamControl.Answers(List.of(), List.of()))
                    : control.streams(null);
            gathered.onComplete(answers -> {
                StreamControl.Answers a = answers.succeeded() ? answers.result()
                        : new StreamControl.Answers(List.of(), control.nodes());
                JsonArray out = new JsonArray();
                for (StreamRecord r : records) {
                    out.add(summary(describe(r, a).info()));
                }
                JsonObject answer = new JsonObject().put("status", "SUCCESS").put("data", out);
                if (!a.unanswered().isEmpty()) {
                    // said only then: the rows of silent nodes' streams lack what those nodes know (the CLI shows it)
                    answer.put("description", records.size() + " streams" + unansweredNote(a));
                }
                ctx.json(answer);
            });
        });
    }

    private void getStreamInfo(RoutingContext ctx) {
        String name = streamName(ctx);
        if (name == null) {
            return;
        }
        registry.find(name).onComplete(found -> {
            if (found.failed()) {
                ApiServer.fail(ctx, 503, "stream registry unavailable: " + found.cause().getMessage());
                return;
            }
            StreamRecord r = found.result();
            if (r == null) {
                ApiServer.fail(ctx, 404, "stream " + name + " is not live");
                return;
            }
            Future<String> pull = relays.configs().map(all -> String.join(",", pullsOf(all, name))).otherwise("");
            Future<StreamControl.Answers> gathered = control.streams(Set.of(name))
                    .otherwise(e -> new StreamControl.Answers(List.of(), control.nodes()));
            Future.join(gathered, pull).onComplete(both -> {
                StreamControl.Answers a = gathered.result();
                Described d = describe(r, a);
                if (d.ownerAnswered() && !d.published()) {
                    ApiServer.fail(ctx, 404, "stream " + name + " is not live: its node " + r.ownerNode()
                            + " has no publisher of it (it just left)");
                    return;
                }
                if (!pull.result().isEmpty()) {
                    d.info().put("pulledBy", pull.result());
                }
                String description = d.published() ? name + " on " + r.ownerNode()
                        : name + " on " + r.ownerNode() + ", which did not answer: tracks and bitrate unknown";
                ctx.json(new JsonObject().put("status", "SUCCESS")
                        .put("description", description + unansweredNote(a)).put("data", d.info()));
            });
        });
    }

    private void shutdownStream(RoutingContext ctx) {
        String name = streamName(ctx);
        if (name == null) {
            return;
        }
        String permanentlyText = ApiServer.param(ctx, "permanently");
        Boolean permanently = flag(permanentlyText);
        if (permanently == null) {
            ApiServer.fail(ctx, 400, "permanently must be 0 or 1");
            return;
        }
        registry.find(name).onComplete(found -> {
            if (found.failed()) {
                ApiServer.fail(ctx, 503, "stream registry unavailable: " + found.cause().getMessage());
                return;
            }
            StreamRecord r = found.result();
            if (r == null) {
                ApiServer.fail(ctx, 404, "stream " + name + " is not live");
                return;
            }
            // the pull goes first: ended before its removal, it would connect again in the meantime
            Future<List<String>> pulls = relays.configs().map(all -> pullsOf(all, name));
            Future<List<String>> removed = pulls.transform(listed -> !permanently ? Future.succeededFuture(List.of())
                    : listed.succeeded() ? removeAll(listed.result()) : Future.failedFuture(listed.cause()));
            removed.onComplete(gone -> {
                if (gone.failed()) {
                    ApiServer.fail(ctx, 503, "relays unavailable, nothing ended: " + gone.cause().getMessage());
                    return;
                }
                control.endPublisher(r.ownerNode(), name).onComplete(ended -> {
                    if (ended.failed()) {
                        ApiServer.fail(ctx, 503, "node " + r.ownerNode() + " did not answer: "
                                + ended.cause().getMessage() + (gone.result().isEmpty() ? ""
                                : "; removed " + String.join(", ", gone.result())));
                        return;
                    }
                    if (!ended.result() && gone.result().isEmpty()) {
                        ApiServer.fail(ctx, 404, "stream " + name + " is not live: its node " + r.ownerNode()
                                + " has no publisher of it");
                        return;
                    }
                    List<String> stillPulling = pulls.succeeded() && !permanently ? pulls.result() : List.<String>of();
                    log.info("shutdownStream {}: publisher on {} ended{}", name, r.ownerNode(),
                            gone.result().isEmpty() ? "" : ", removed " + String.join(", ", gone.result()));
                    String description = name + " ended on " + r.ownerNode()
                            + (gone.result().isEmpty() ? "" : "; removed " + String.join(", ", gone.result()))
                            + (stillPulling.isEmpty() ? "" : "; " + String.join(", ", stillPulling)
                            + " connects again (permanently=1 removes it)");
                    ctx.json(new JsonObject().put("status", "SUCCESS").put("description", description)
                            .put("data", new JsonObject().put("name", name).put("ownerNode", r.ownerNode())
                                    .put("removedRelays", new JsonArray(gone.result()))));
                });
            });
        });
    }

    private Future<List<String>> removeAll(List<String> ids) {
        List<Future<Boolean>> each = ids.stream().map(relays::remove).toList();
        return Future.all(each).map(done -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (each.get(i).result()) {
                    out.add(ids.get(i));
                }
            }
            return out;
        });
    }

    private void listConnections(RoutingContext ctx) {
        String node = ApiServer.param(ctx, "node");
        List<String> nodes = control.nodes();
        if (node != null) {
            if (node.isEmpty() || node.length() > StreamNames.MAX_LENGTH) {
                ApiServer.fail(ctx, 400, "node must name a node (getServerInfo lists the members)");
                return;
            }
            if (!nodes.contains(node)) {
                ApiServer.fail(ctx, 404, "no node " + node + " in the cluster");
                return;
            }
            nodes = List.of(node);
        }
        control.connections(nodes, MAX_CONNECTIONS).onComplete(gathered -> {
            if (gathered.failed()) {
                ApiServer.fail(ctx, 503, "connections unavailable: " + gathered.cause().getMessage());
                return;
            }
            JsonObject data = connections(gathered.result(), MAX_CONNECTIONS);
            int shown = data.getJsonArray("connections").size();
            ctx.json(new JsonObject().put("status", "SUCCESS")
                    .put("description", shown + " connections" + (data.getBoolean("truncated")
                            ? " of " + data.getLong("total") + " (at most " + MAX_CONNECTIONS + " are listed)" : "")
                            + unansweredNote(gathered.result()))
                    .put("data", data));
        });
    }

    private void getServerInfo(RoutingContext ctx) {
        JsonObject info = control.serverInfo();
        ctx.json(new JsonObject().put("status", "SUCCESS").put("description", "node " + info.getString("node"))
                .put("data", info));
    }

    /** The stream's name from {@code name} or EMS's {@code localStreamName}; null after answering 400. */
    private static String streamName(RoutingContext ctx) {
        String name = ApiServer.param(ctx, "name");
        if (name == null) {
            name = ApiServer.param(ctx, "localStreamName");
        }
        if (name == null || !StreamNames.isValid(name)) {
            ApiServer.fail(ctx, 400, "name must be a stream name ([A-Za-z0-9._-], at most " + StreamNames.MAX_LENGTH
                    + ")");
            return null;
        }
        return name;
    }

    /** 0/1 (EMS), false/true, absent = false; null for anything else. */
    static Boolean flag(String text) {
        if (text == null || text.equals("0") || text.equalsIgnoreCase("false")) {
            return false;
        }
        return text.equals("1") || text.equalsIgnoreCase("true") ? Boolean.TRUE : null;
    }

    /** The ids of the pulls (as {@link RelayControl#configs} lists them) that publish {@code stream}. */
    static List<String> pullsOf(JsonArray relays, String stream) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < relays.size(); i++) {
            JsonObject r = relays.getJsonObject(i);
            if ("pull".equals(r.getString("kind")) && stream.equals(r.getString("localStreamName"))) {
                out.add(r.getString("id"));
            }
        }
        return out;
    }

    /**
     * A stream as the cluster's answers tell it.
     *
     * @param ownerAnswered the node the registry names as its owner answered
     * @param published     that node has the stream's publisher
     */
    record Described(JsonObject info, boolean ownerAnswered, boolean published) {
    }

    /**
     * getStreamInfo's data for the stream: the registry's fields; the owner's publication (publisher, tracks, bytes,
     * bitrate) when it answered with one; viewers summed over every node that answered, per node and protocol.
     */
    static Described describe(StreamRecord r, StreamControl.Answers answers) {
        JsonObject info = new JsonObject().put("name", r.name()).put("ownerNode", r.ownerNode())
                .put("ingestProtocol", r.ingestProtocol()).put("startedAt", r.startedAtMillis());
        JsonObject publication = null;
        boolean ownerAnswered = false;
        Map<String, JsonObject> byNode = new TreeMap<>();
        Map<String, Long> byProtocol = new TreeMap<>();
        long total = 0;
        for (JsonObject answer : answers.answers()) {
            String node = answer.getString("node", "");
            if (node.equals(r.ownerNode())) {
                ownerAnswered = true;
                JsonArray publications = answer.getJsonArray("publications", new JsonArray());
                for (int i = 0; i < publications.size(); i++) {
                    if (r.name().equals(publications.getJsonObject(i).getString("name"))) {
                        publication = publications.getJsonObject(i);
                    }
                }
            }
            JsonObject viewers = answer.getJsonObject("viewers", new JsonObject()).getJsonObject(r.name());
            if (viewers == null) {
                continue;
            }
            JsonObject here = new JsonObject();
            for (String protocol : new java.util.TreeSet<>(viewers.fieldNames())) {
                long n = viewers.getLong(protocol, 0L);
                if (n > 0) {
                    here.put(protocol, n);
                    byProtocol.merge(protocol, n, Long::sum);
                    total += n;
                }
            }
            if (!here.isEmpty()) {
                byNode.put(node, here);
            }
        }
        if (publication != null) {
            info.put("publisher", new JsonObject().put("protocol", publication.getString("protocol"))
                    .put("peer", publication.getString("peer")).put("since", publication.getLong("startedAt")));
            info.put("bytesIn", publication.getLong("bytesIn", 0L));
            if (publication.containsKey("bitsPerSecond")) {
                info.put("bitsPerSecond", publication.getLong("bitsPerSecond"));
            }
            info.put("tracks", publication.getJsonArray("tracks", new JsonArray()).copy());
        }
        JsonObject protocols = new JsonObject();
        byProtocol.forEach(protocols::put);
        JsonObject nodes = new JsonObject();
        byNode.forEach(nodes::put);
        info.put("viewers", new JsonObject().put("total", total).put("byProtocol", protocols).put("byNode", nodes));
        return new Described(info, ownerAnswered, publication != null);
    }

    /**
     * listStreams' row of a stream: the registry's fields as they always were, then the viewers in the whole
     * cluster (in all, per protocol and per node and protocol), the bitrate, and the first video and audio track in
     * brief.
     */
    static JsonObject summary(JsonObject info) {
        JsonObject s = new JsonObject().put("name", info.getString("name")).put("ownerNode", info.getString("ownerNode"))
                .put("ingestProtocol", info.getString("ingestProtocol")).put("startedAt", info.getLong("startedAt"));
        JsonObject viewers = info.getJsonObject("viewers");
        s.put("viewers", viewers.getLong("total"));
        s.put("viewersByProtocol", viewers.getJsonObject("byProtocol"));
        s.put("viewersByNode", viewers.getJsonObject("byNode"));
        if (info.containsKey("bitsPerSecond")) {
            s.put("bitsPerSecond", info.getLong("bitsPerSecond"));
        }
        JsonArray tracks = info.getJsonArray("tracks", new JsonArray());
        JsonObject video = first(tracks, "video");
        if (video != null) {
            s.put("videoCodec", video.getString("codec"));
            copy(video, s, "width", "height", "frameRate");
        }
        JsonObject audio = first(tracks, "audio");
        if (audio != null) {
            s.put("audioCodec", audio.getString("codec"));
            copy(audio, s, "sampleRate", "channels");
        }
        return s;
    }

    private static JsonObject first(JsonArray tracks, String type) {
        for (int i = 0; i < tracks.size(); i++) {
            if (type.equals(tracks.getJsonObject(i).getString("type"))) {
                return tracks.getJsonObject(i);
            }
        }
        return null;
    }

    private static void copy(JsonObject from, JsonObject to, String... keys) {
        for (String k : keys) {
            if (from.containsKey(k)) {
                to.put(k, from.getValue(k));
            }
        }
    }

    /**
     * listConnections' data: every node's connections, node by node in name order, at most {@code limit} in all;
     * {@code total} counts every connection the nodes have, {@code truncated} says some were left out.
     */
    static JsonObject connections(StreamControl.Answers answers, int limit) {
        List<JsonObject> byNode = new ArrayList<>(answers.answers());
        byNode.sort(Comparator.comparing(a -> a.getString("node", "")));
        JsonArray shown = new JsonArray();
        long total = 0;
        for (JsonObject answer : byNode) {
            JsonArray list = answer.getJsonArray("connections", new JsonArray());
            total += Math.max(answer.getLong("total", 0L), list.size());
            for (int i = 0; i < list.size() && shown.size() < limit; i++) {
                shown.add(list.getJsonObject(i));
            }
        }
        JsonObject data = new JsonObject().put("connections", shown).put("total", total)
                .put("truncated", total > shown.size());
        if (!answers.unanswered().isEmpty()) {
            data.put("unansweredNodes", new JsonArray(List.copyOf(new java.util.TreeSet<>(answers.unanswered()))));
        }
        return data;
    }

    private static String unansweredNote(StreamControl.Answers a) {
        return a.unanswered().isEmpty() ? ""
                : "; no answer from " + String.join(", ", new java.util.TreeSet<>(a.unanswered()));
    }
}
