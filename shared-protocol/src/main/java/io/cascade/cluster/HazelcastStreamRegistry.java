package io.cascade.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stream registry of a cluster: one Hazelcast map entry per live stream, claimed with put-if-absent so a name
 * is published at most once cluster-wide. When a member leaves, every remaining member removes the entries that
 * member owned (conditional removes, so doing it more than once is harmless).
 *
 * <p>A claim that collides with another node's record asks that node ({@link Addresses#owner}) whether it still
 * owns the name. A node that says yes keeps it and the claim is refused at once; one that says no loses it to the
 * claim. A node that does not answer (killed, frozen, partitioned) may not have been noticed by failure detection
 * yet: a publisher that moved on would otherwise be refused for as long as detection takes, so the claim waits for
 * the cluster's verdict, at most the failure-detection time, and takes the name over once the owner is no longer a
 * member. Records are replaced conditionally, so two claims never both win.
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
    /**
     * How long an owner may take to say whether it still owns a name. It answers from memory, so a live node does in
     * milliseconds; a second covers a GC pause or a busy machine and is still well inside failure detection.
     */
    public static final long OWNER_ANSWER_TIMEOUT_MS = 1_000;
    /** How often a waiting claim looks whether the silent owner left: a local read, and at most this much delay. */
    public static final long VERDICT_POLL_MS = 100;
    /**
     * Added to Hazelcast's {@code max.no.heartbeat} for the longest a claim waits for the verdict on a silent owner:
     * heartbeats are checked once per heartbeat interval, and the removal itself takes a moment on a busy machine.
     */
    public static final long VERDICT_MARGIN_MS = 3_000;
    /** Hazelcast's own default for {@code hazelcast.max.no.heartbeat.seconds}, when the configuration sets none. */
    private static final long DEFAULT_MAX_NO_HEARTBEAT_SECONDS = 60;
    /**
     * Collisions one claim goes through at most: each round lost a put-if-absent or a replace to another claim of
     * the same name, so more than a few means other publishers are racing for it and this one gives way.
     */
    public static final int MAX_CLAIM_ROUNDS = 5;
    /**
     * Streams one node may own at once: each is a publisher whose every frame this node handles, so far more than
     * one node can ingest; past it a claim fails rather than the map of owned names growing without end.
     */
    public static final int MAX_OWNED_PER_NODE = 10_000;

    /**
     * How long after this member merged into the other half's cluster its names are first checked again: Hazelcast
     * applies the merged entries before it reports the merge, and this margin covers the entries' last replies.
     */
    public static final long MERGE_SETTLE_MS = 1_000;

    private final IMap<String, String> streams;
    private final IMap<String, String> timelines;
    private final UUID listener;
    private final UUID lifecycleListener;
    /**
     * While this member merges into the other half's cluster its map is empty and then half-merged: names checked
     * then would look lost, or missing. Nanos of the last merge's end, and whether one is under way.
     */
    private volatile boolean merging;
    private volatile long mergedAtNanos = System.nanoTime() - MERGE_SETTLE_MS * 1_000_000;
    private final HazelcastInstance hazelcast;
    private final Vertx vertx;
    /**
     * Names this node claimed and has not released (name -> registry value): what it answers owners' questions
     * from. At most {@link #MAX_OWNED_PER_NODE}.
     */
    private final Map<String, String> owned = new ConcurrentHashMap<>();
    private final MessageConsumer<String> ownerQuestions;
    private final long verdictMillis;

    /** A registry that cannot answer whether it owns a name: other nodes take a collision with it as a live owner. */
    public HazelcastStreamRegistry(Vertx vertx, HazelcastInstance hazelcast) {
        this(vertx, hazelcast, null);
    }

    /**
     * @param node this node's name: its registry answers on {@link Addresses#owner} whether it still owns a name
     */
    public HazelcastStreamRegistry(Vertx vertx, HazelcastInstance hazelcast, String node) {
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
        this.lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
            switch (event.getState()) {
                case MERGING -> merging = true;
                case MERGED, MERGE_FAILED -> {
                    mergedAtNanos = System.nanoTime();
                    merging = false;
                }
                default -> {
                }
            }
        });
        this.ownerQuestions = node == null ? null
                : vertx.eventBus().<String>consumer(Addresses.owner(node), m -> m.reply(owned.containsKey(m.body())));
        String configured = hazelcast.getConfig().getProperty("hazelcast.max.no.heartbeat.seconds");
        this.verdictMillis = (configured == null ? DEFAULT_MAX_NO_HEARTBEAT_SECONDS : Long.parseLong(configured.trim()))
                * 1000 + VERDICT_MARGIN_MS;
    }

    /** Stops watching membership and answering owners' questions (the map itself belongs to the cluster). */
    public void close() {
        hazelcast.getCluster().removeMembershipListener(listener);
        hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
        if (ownerQuestions != null) {
            ownerQuestions.unregister();
        }
    }

    /**
     * Completes with false at once when a live node owns the name; waits (at most the failure-detection time plus
     * {@link #VERDICT_MARGIN_MS}) when the owner does not answer, then takes the name over if the owner is gone.
     */
    @Override
    public Future<Boolean> claim(StreamRecord record) {
        return claim(record, encode(record), 0, 0);
    }

    /** One round: put-if-absent, and on a collision find out whether the owner still holds the name. */
    private Future<Boolean> claim(StreamRecord record, String value, int round, long verdictDeadlineNanos) {
        if (round >= MAX_CLAIM_ROUNDS) {
            log.info("{}: claim given up after {} collisions with other claims", record.name(), round);
            return Future.succeededFuture(false);
        }
        return blocking(() -> {
            checkOwnedBound(record.name());
            // noted before the map is written: a question arriving in between must not hear that the name is free
            boolean mine = owned.putIfAbsent(record.name(), value) == null;
            String previous = streams.putIfAbsent(record.name(), value);
            if (previous != null && mine) {
                owned.remove(record.name(), value);
            }
            return previous;
        }).compose(previous -> {
            if (previous == null) {
                return Future.succeededFuture(true);
            }
            String owner = decode(record.name(), previous).ownerNode();
            if (!isMember(owner)) {
                // the owner's node left the cluster and its cleanup has not run yet: a reconnecting publisher takes over
                return takeOver(record, value, previous, round, verdictDeadlineNanos);
            }
            return askOwner(owner, record.name()).compose(answer -> switch (answer) {
                case LIVE -> Future.succeededFuture(false);
                case GONE -> takeOver(record, value, previous, round, verdictDeadlineNanos);
                case SILENT -> {
                    long deadline = verdictDeadlineNanos != 0 ? verdictDeadlineNanos
                            : System.nanoTime() + verdictMillis * 1_000_000;
                    log.info("{}: owner {} does not answer, waiting up to {} ms for the cluster's verdict",
                            record.name(), owner, verdictMillis);
                    yield awaitDeparture(owner, deadline).compose(left -> left
                            ? claim(record, value, round + 1, deadline) : Future.succeededFuture(false));
                }
            });
        });
    }

    /** Replaces exactly the record that was found, so a claim racing this one, or the owner's return, wins instead. */
    private Future<Boolean> takeOver(StreamRecord record, String value, String previous, int round,
                                     long verdictDeadlineNanos) {
        return blocking(() -> {
            checkOwnedBound(record.name());
            boolean mine = owned.putIfAbsent(record.name(), value) == null;
            boolean replaced = streams.replace(record.name(), previous, value);
            if (!replaced && mine) {
                owned.remove(record.name(), value);
            }
            return replaced;
        }).compose(replaced -> {
            if (replaced) {
                log.info("{}: taken over from {}, which no longer owns it", record.name(),
                        decode(record.name(), previous).ownerNode());
                return Future.succeededFuture(true);
            }
            return claim(record, value, round + 1, verdictDeadlineNanos);
        });
    }

    private void checkOwnedBound(String name) {
        if (owned.size() >= MAX_OWNED_PER_NODE && !owned.containsKey(name)) {
            throw new IllegalStateException("this node owns " + MAX_OWNED_PER_NODE + " streams already");
        }
    }

    private enum Answer { LIVE, GONE, SILENT }

    /**
     * The owner's answer; {@link Answer#SILENT} as soon as it leaves the cluster while the question is on its way:
     * a killed node's death is noticed well before the question times out.
     */
    private Future<Answer> askOwner(String owner, String name) {
        Promise<Answer> answer = Promise.promise();
        long watch = vertx.setPeriodic(VERDICT_POLL_MS, id -> {
            if (!isMember(owner)) {
                answer.tryComplete(Answer.SILENT);
            }
        });
        vertx.eventBus().<Boolean>request(Addresses.owner(owner), name,
                        new DeliveryOptions().setSendTimeout(OWNER_ANSWER_TIMEOUT_MS))
                .onComplete(reply -> {
                    if (reply.succeeded()) {
                        answer.tryComplete(Boolean.TRUE.equals(reply.result().body()) ? Answer.LIVE : Answer.GONE);
                    } else if (reply.cause() instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS) {
                        // nobody answers for that node: it runs without the question's consumer (a registry
                        // without a node name), so a member is taken as live, as before owners were asked
                        answer.tryComplete(isMember(owner) ? Answer.LIVE : Answer.SILENT);
                    } else {
                        answer.tryComplete(Answer.SILENT); // timed out, or its connection failed
                    }
                });
        return answer.future().onComplete(done -> vertx.cancelTimer(watch));
    }

    /** True once the node is no longer a member; false if it still is at the deadline. */
    private Future<Boolean> awaitDeparture(String node, long deadlineNanos) {
        if (!isMember(node)) {
            return Future.succeededFuture(true);
        }
        Promise<Boolean> left = Promise.promise();
        vertx.setPeriodic(VERDICT_POLL_MS, id -> {
            boolean gone = !isMember(node);
            if (gone || System.nanoTime() - deadlineNanos > 0) {
                vertx.cancelTimer(id);
                left.tryComplete(gone);
            }
        });
        return left.future();
    }

    private boolean isMember(String node) {
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (node.equals(m.getAttribute(NODE_ATTRIBUTE))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Future<Set<String>> reconcile() {
        if (owned.isEmpty() || merging || System.nanoTime() - mergedAtNanos < MERGE_SETTLE_MS * 1_000_000) {
            return Future.succeededFuture(Set.of());
        }
        return blocking(() -> {
            Set<String> lost = new java.util.HashSet<>();
            Map<String, String> ours = Map.copyOf(owned);
            Map<String, String> found = streams.getAll(ours.keySet());
            ours.forEach((name, value) -> {
                String current = found.get(name);
                if (current == null) {
                    // checked against owned again: the publisher may have left since the copy was taken
                    if (owned.get(name) == value && streams.putIfAbsent(name, value) == null) {
                        if (owned.get(name) != value) {
                            streams.remove(name, value); // released meanwhile: the stream has ended
                        } else {
                            log.info("{}: its record was missing from the registry (a partition healed?), written"
                                    + " back", name);
                        }
                    }
                } else if (!current.equals(value)) {
                    String winner = decode(name, current).ownerNode();
                    if (!winner.equals(decode(name, value).ownerNode()) && owned.remove(name, value)) {
                        log.warn("{}: the registry gives it to node {} now (two halves of a partitioned cluster"
                                + " each took a publisher, and the heal kept the other one)", name, winner);
                        lost.add(name);
                    }
                }
            });
            return Set.copyOf(lost);
        });
    }

    @Override
    public Future<Void> release(String name, String ownerNode) {
        String ours = owned.get(name);
        if (ours != null && decode(name, ours).ownerNode().equals(ownerNode)) {
            owned.remove(name, ours); // from now on this node tells a claim that asks that the name is free
        }
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
