package io.cascade.cluster;

import io.vertx.core.Future;

import java.util.List;

/**
 * Which streams are live and who owns them, cluster-wide ({@link HazelcastStreamRegistry}; a single node is a
 * cluster of one). All operations are asynchronous: the map lives on other members too.
 */
public interface StreamRegistry {
    /**
     * Registers the stream unless the name is taken; completes with false when someone else owns it. When the owner
     * does not answer, completes only once the cluster decided whether it is gone (at most the failure-detection
     * time), so callers must not expect an answer at once.
     */
    Future<Boolean> claim(StreamRecord record);

    /**
     * Checks the names this node claimed and still holds against the cluster's registry, and answers those another
     * node owns now: when a partition heals, both halves may have admitted a publisher of one name, and the merged
     * registry keeps one of them ({@link OwnerMergePolicy}); the other node must end its publisher. A record of
     * this node's that vanished meanwhile (the heal itself can drop one) is written back.
     */
    Future<java.util.Set<String>> reconcile();

    /** Removes the stream if, and only if, {@code ownerNode} still owns it. */
    Future<Void> release(String name, String ownerNode);

    /** The record of a live stream, or null. */
    Future<StreamRecord> find(String name);

    Future<List<StreamRecord>> list();

    /** The records of those of these names that are live: a lookup by key, no scan of the whole registry. */
    Future<List<StreamRecord>> findAll(java.util.Set<String> names);

    /** Where the stream's segment numbering stands after its earlier publishes ({@link StreamTimeline#NEW} if none). */
    Future<StreamTimeline> timeline(String name);

    /** Records where the stream's numbering stands, for whichever node takes its next publish. Fire and forget. */
    void saveTimeline(String name, StreamTimeline timeline);
}
