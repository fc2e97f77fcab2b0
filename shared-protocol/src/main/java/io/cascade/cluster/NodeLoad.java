package io.cascade.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one node tells the cluster about itself about once a second ({@link LoadBoard}): its roles, whether it is
 * draining, its load, where clients reach it, and which streams it already serves (a viewer sent there costs the
 * cluster no new feed).
 *
 * @param node                 the node's name
 * @param roles                "ingest", "edge", "origin"
 * @param draining             taking no new clients: pick it for nothing
 * @param full                 its memory budget takes no new stream: pick it for nothing either
 * @param viewers              viewers on it now, per protocol
 * @param egressBitsPerSecond  what it sent to clients over the last report period
 * @param cpu                  the process's share of the machine's CPU, 0 to 1
 * @param play                 where a viewer plays a stream here, per protocol: a URL with {@link #STREAM} for the name
 *                             ("hls" -> "http://10.0.0.12:8888/{stream}/index.m3u8"), as the protocols' listeners
 *                             declare them
 * @param publish              the same for publishers ("rtmp" -> "rtmp://10.0.0.12:1935/live/{stream}")
 * @param streams              streams it has viewers or a feed for, at most {@link #MAX_STREAMS}
 * @param updatedMillis        wall clock of the report
 */
public record NodeLoad(String node, Set<String> roles, boolean draining, boolean full, Map<String, Long> viewers,
                       long egressBitsPerSecond, double cpu, Map<String, String> play, Map<String, String> publish,
                       Set<String> streams, long updatedMillis) {
    /** Where a URL template puts the stream's name. */
    public static final String STREAM = "{stream}";
    /** Streams one report lists at most: beyond it the preference for a node that has the stream is lost, nothing else. */
    public static final int MAX_STREAMS = 1_000;
    /** Longest report read back: far above what {@link #MAX_STREAMS} names of 128 characters take. */
    public static final int MAX_JSON_CHARS = 256 * 1024;

    public NodeLoad {
        Objects.requireNonNull(node);
        roles = Set.copyOf(roles);
        viewers = Map.copyOf(viewers);
        play = Map.copyOf(play);
        publish = Map.copyOf(publish);
        if (streams.size() > MAX_STREAMS) {
            List<String> sorted = new ArrayList<>(new TreeSet<>(streams));
            streams = Set.copyOf(sorted.subList(0, MAX_STREAMS));
        } else {
            streams = Set.copyOf(streams);
        }
    }

    /** Viewers over every protocol. */
    public long totalViewers() {
        return viewers.values().stream().mapToLong(Long::longValue).sum();
    }

    public JsonObject toJson() {
        JsonObject v = new JsonObject();
        viewers.forEach(v::put);
        return new JsonObject().put("node", node).put("roles", new JsonArray(List.copyOf(new TreeSet<>(roles))))
                .put("draining", draining).put("full", full).put("viewers", v)
                .put("egressBitsPerSecond", egressBitsPerSecond).put("cpu", cpu)
                .put("play", json(play)).put("publish", json(publish))
                .put("streams", new JsonArray(List.copyOf(new TreeSet<>(streams)))).put("updatedMillis", updatedMillis);
    }

    private static JsonObject json(Map<String, String> templates) {
        JsonObject o = new JsonObject();
        templates.forEach(o::put);
        return o;
    }

    private static Map<String, String> templates(JsonObject j) {
        Map<String, String> out = new LinkedHashMap<>();
        j.forEach(e -> out.put(e.getKey(), (String) e.getValue()));
        return out;
    }

    /** A report as {@link #toJson} wrote it; throws {@link IllegalArgumentException} for anything else. */
    public static NodeLoad fromJson(String text) {
        if (text.length() > MAX_JSON_CHARS) {
            throw new IllegalArgumentException("a load report of " + text.length() + " characters");
        }
        try {
            JsonObject j = new JsonObject(text);
            Map<String, Long> viewers = new LinkedHashMap<>();
            j.getJsonObject("viewers", new JsonObject()).forEach(e -> viewers.put(e.getKey(), ((Number) e.getValue())
                    .longValue()));
            Map<String, String> play = templates(j.getJsonObject("play", new JsonObject()));
            Map<String, String> publish = templates(j.getJsonObject("publish", new JsonObject()));
            Set<String> roles = new TreeSet<>();
            j.getJsonArray("roles", new JsonArray()).forEach(r -> roles.add((String) r));
            Set<String> streams = new TreeSet<>();
            j.getJsonArray("streams", new JsonArray()).forEach(s -> streams.add((String) s));
            return new NodeLoad(Objects.requireNonNull(j.getString("node")), roles, j.getBoolean("draining", false),
                    j.getBoolean("full", false), viewers, j.getLong("egressBitsPerSecond", 0L), j.getDouble("cpu", 0.0),
                    play, publish, streams, j.getLong("updatedMillis", 0L));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a load report: " + e.getMessage(), e);
        }
    }
}
