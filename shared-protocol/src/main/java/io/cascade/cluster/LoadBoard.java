package io.cascade.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every node's latest {@link NodeLoad}, in a Hazelcast map. An entry lives {@link #TTL_SECONDS} unless its node
 * reports again, so a node that died or froze leaves the board by itself; a report that cannot be read is skipped,
 * never trusted.
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

    public LoadBoard(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.reports = hazelcast.getMap(MAP);
    }

    /** Publishes this node's report (replacing its last one). */
    public Future<Void> report(NodeLoad load) {
        return Future.fromCompletionStage(reports.setAsync(load.node(), load.toJson().encode(), TTL_SECONDS,
                TimeUnit.SECONDS), vertx.getOrCreateContext());
    }

    /** Every node's latest report. */
    public Future<List<NodeLoad>> all() {
        return vertx.executeBlocking(() -> {
            List<NodeLoad> out = new ArrayList<>();
            for (var e : reports.entrySet()) {
                if (out.size() >= MAX_NODES) {
                    break;
                }
                try {
                    out.add(NodeLoad.fromJson(e.getValue()));
                } catch (IllegalArgumentException bad) {
                    log.warn("load report of {} skipped: {}", e.getKey(), bad.getMessage());
                }
            }
            return out;
        }, false);
    }
}
