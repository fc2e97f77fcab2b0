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
