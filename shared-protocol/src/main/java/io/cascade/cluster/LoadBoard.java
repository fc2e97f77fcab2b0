package io.cascade.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every node's latest {@link NodeLoad}, in a Hazelcast map. An entry lives {@link #TTL_SECONDS} unless its node
 * reports again, so a node that died or froze leaves the board by itself; a report that cannot be read is skipped,
 * never trusted.
 *
 * <p>A node that places viewers needs the board every second. Reading the map is a query over every partition of
 * the cluster, the largest cost in Java code of an idle node when profiled; so such a node {@link #follow follows}
 * the board instead: the map's events keep a copy of every report, and {@link #latest} answers from memory.
 */
public final class LoadBoard {
    private static final Logger log = LoggerFactory.getLogger(LoadBoard.class);
    /** The map: node name -> its report as JSON. */
    public static final String MAP = "cascade.load";
    /** How long a report stays without a newer one. */
    public static final int TTL_SECONDS = 10;
    /** Reports read at most: a cluster is far smaller. */
    public static final int MAX_NODES = 1_000;

    private final Vertx vertx;
    private final IMap<String, String> reports;
    /** What {@link #follow} has heard, by node: at most {@link #MAX_NODES}. */
    private final Map<String, Heard> heard = new ConcurrentHashMap<>();

    /** A report and when this node heard it: a report older than the map's time to live is gone. */
    private record Heard(NodeLoad load, long heardNanos) {
    }

    public LoadBoard(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.reports = hazelcast.getMap(MAP);
    }

    /** Publishes this node's report (replacing its last one). */
    public Future<Void> report(NodeLoad load) {
        return Future.fromCompletionStage(reports.setAsync(load.node(), load.toJson().encode(), TTL_SECONDS,
                TimeUnit.SECONDS), vertx.getOrCreateContext());
    }

    /** Every node's latest report, read from the map: for the API, which asks now and then. */
    public Future<List<NodeLoad>> all() {
        return vertx.executeBlocking(() -> {
            List<NodeLoad> out = new ArrayList<>();
            for (var e : reports.entrySet()) {
                if (out.size() >= MAX_NODES) {
                    break;
                }
                NodeLoad load = parse(e.getKey(), e.getValue());
                if (load != null) {
                    out.add(load);
                }
            }
            return out;
        }, false);
    }

    /**
     * Starts following the board: every report stored from now on reaches {@link #latest}, and the reports already
     * there are read once. The listener lives as long as the Hazelcast member.
     */
    public Future<Void> follow() {
        return vertx.executeBlocking(() -> {
            reports.addEntryListener(new Follower(), true);
            for (var e : reports.entrySet()) {
                NodeLoad load = parse(e.getKey(), e.getValue());
                if (load != null) {
                    heard.putIfAbsent(e.getKey(), new Heard(load, System.nanoTime()));
                }
            }
            return null;
        }, false);
    }

    /** Every node's latest report heard while {@link #follow following} the board, none older than its TTL. */
    public List<NodeLoad> latest() {
        long oldest = System.nanoTime() - TimeUnit.SECONDS.toNanos(TTL_SECONDS);
        List<NodeLoad> out = new ArrayList<>(heard.size());
        for (var e : heard.entrySet()) {
            if (e.getValue().heardNanos() - oldest < 0) {
                heard.remove(e.getKey(), e.getValue());
            } else {
                out.add(e.getValue().load());
            }
        }
        return out;
    }

    private static NodeLoad parse(String node, String json) {
        try {
            return NodeLoad.fromJson(json);
        } catch (IllegalArgumentException bad) {
            log.warn("load report of {} skipped: {}", node, bad.getMessage());
            return null;
        }
    }

    /** Runs on Hazelcast's event threads. */
    private final class Follower implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String>, EntryExpiredListener<String, String>,
            EntryEvictedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            stored(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            stored(event);
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            heard.remove(event.getKey());
        }

        @Override
        public void entryExpired(EntryEvent<String, String> event) {
            heard.remove(event.getKey());
        }

        @Override
        public void entryEvicted(EntryEvent<String, String> event) {
            heard.remove(event.getKey());
        }

        private void stored(EntryEvent<String, String> event) {
            if (heard.size() >= MAX_NODES && !heard.containsKey(event.getKey())) {
                return;
            }
            NodeLoad load = parse(event.getKey(), event.getValue());
            if (load != null) {
                heard.put(event.getKey(), new Heard(load, System.nanoTime()));
            }
        }
    }
}
