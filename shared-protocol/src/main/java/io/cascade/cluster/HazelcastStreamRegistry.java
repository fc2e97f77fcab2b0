package io.cascade.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The stream registry of a cluster: one Hazelcast map entry per live stream, claimed with put-if-absent so a name
 * is published at most once cluster-wide; a name whose owner is no longer a member can be claimed at once. When a member leaves, every remaining member removes the entries that
 * member owned (conditional removes, so doing it more than once is harmless).
 *
 * <p>Hazelcast's map calls block, so they run on Vert.x worker threads, unordered. Values are plain strings ({@code owner SEP protocol SEP startedAt}): readable in Management Center, and no
 * class of ours has to be known to Hazelcast's serializer.
 */
public final class HazelcastStreamRegistry implements StreamRegistry {
    private static final Logger log = LoggerFactory.getLogger(HazelcastStreamRegistry.class);
    public static final String MAP = "cascade.streams";
    /** Stream name -> {@link StreamTimeline}, kept after the stream stops so a republish continues its numbering. */
    public static final String TIMELINES = "cascade.timelines";
    /** A stream not published for a day starts its numbering over. */
    public static final int TIMELINE_MAX_IDLE_SECONDS = 24 * 3600;
    /** Timelines each member holds at most (least recently used go first). */
    public static final int TIMELINE_MAX_ENTRIES_PER_NODE = 100_000;
    /** The member attribute carrying a node's name, so a departed member's streams can be found. */
    public static final String NODE_ATTRIBUTE = "cascade.node";
    private static final String SEP = "\u001f";

    private final IMap<String, String> streams;
    private final IMap<String, String> timelines;
    private final UUID listener;
    private final HazelcastInstance hazelcast;
    private final Vertx vertx;

    public HazelcastStreamRegistry(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.streams = hazelcast.getMap(MAP);
        this.timelines = hazelcast.getMap(TIMELINES);
        this.listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                String node = event.getMember().getAttribute(NODE_ATTRIBUTE);
                if (node != null) {
                    removeOwnedBy(node);
                }
            }
        });
    }

    /** Stops watching membership (the map itself belongs to the cluster). */
    public void close() {
        hazelcast.getCluster().removeMembershipListener(listener);
    }

    @Override
    public Future<Boolean> claim(StreamRecord record) {
        return blocking(() -> {
            String value = encode(record);
            String previous = streams.putIfAbsent(record.name(), value);
            if (previous == null) {
                return true;
            }
            // the owner's node left the cluster and its cleanup has not run yet: a reconnecting publisher takes over
            return !memberNames().contains(decode(record.name(), previous).ownerNode())
                    && streams.replace(record.name(), previous, value);
        });
    }

    @Override
    public Future<Void> release(String name, String ownerNode) {
        return blocking(() -> {
            String value = streams.get(name);
            if (value != null && decode(name, value).ownerNode().equals(ownerNode)) {
                streams.remove(name, value); // only if nobody claimed it again meanwhile
            }
            return null;
        });
    }

    @Override
    public Future<StreamRecord> find(String name) {
        return blocking(() -> {
            String v = streams.get(name);
            return v == null ? null : decode(name, v);
        });
    }

    @Override
    public Future<List<StreamRecord>> list() {
        return blocking(() -> {
            List<StreamRecord> out = new ArrayList<>();
            for (Map.Entry<String, String> e : streams.entrySet()) {
                out.add(decode(e.getKey(), e.getValue()));
            }
            return out;
        });
    }

    @Override
    public Future<StreamTimeline> timeline(String name) {
        return blocking(() -> {
            String v = timelines.get(name);
            if (v == null) {
                return StreamTimeline.NEW;
            }
            String[] f = v.split(SEP, 3);
            return new StreamTimeline(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        });
    }

    @Override
    public void saveTimeline(String name, StreamTimeline timeline) {
        timelines.setAsync(name, timeline.nextSegment() + SEP + timeline.publishes() + SEP + timeline.clockAnchorMillis());
    }

    /** The timeline map's bounds (see {@link #TIMELINES}). */
    public static void configure(com.hazelcast.config.Config hz) {
        com.hazelcast.config.MapConfig map = hz.getMapConfig(TIMELINES).setMaxIdleSeconds(TIMELINE_MAX_IDLE_SECONDS);
        map.getEvictionConfig().setEvictionPolicy(com.hazelcast.config.EvictionPolicy.LRU)
                .setMaxSizePolicy(com.hazelcast.config.MaxSizePolicy.PER_NODE).setSize(TIMELINE_MAX_ENTRIES_PER_NODE);
    }

    @Override
    public Future<List<StreamRecord>> findAll(Set<String> names) {
        if (names.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return blocking(() -> {
            List<StreamRecord> out = new ArrayList<>(names.size());
            streams.getAll(names).forEach((name, value) -> out.add(decode(name, value)));
            return out;
        });
    }

    private <T> Future<T> blocking(Callable<T> call) {
        return vertx.executeBlocking(call, false);
    }

    private Set<String> memberNames() {
        Set<String> names = new HashSet<>();
        hazelcast.getCluster().getMembers().forEach(m -> names.add(m.getAttribute(NODE_ATTRIBUTE)));
        return names;
    }

    private void removeOwnedBy(String node) {
        int removed = 0;
        for (Map.Entry<String, String> e : streams.entrySet()) {
            if (decode(e.getKey(), e.getValue()).ownerNode().equals(node) && streams.remove(e.getKey(), e.getValue())) {
                removed++;
            }
        }
        if (removed > 0) {
            log.info("node {} left the cluster: removed {} of its streams from the registry", node, removed);
        }
    }

    static String encode(StreamRecord r) {
        return r.ownerNode() + SEP + r.ingestProtocol() + SEP + r.startedAtMillis();
    }

    static StreamRecord decode(String name, String value) {
        String[] f = value.split(SEP, 3);
        return new StreamRecord(name, f[0], f.length > 1 ? f[1] : "", f.length > 2 ? Long.parseLong(f[2]) : 0);
    }
}
