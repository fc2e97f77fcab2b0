package io.cascade.cluster;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The registry of a node that shares it with nobody. */
public final class InMemoryStreamRegistry implements StreamRegistry {
    private final ConcurrentMap<String, StreamRecord> streams = new ConcurrentHashMap<>();

    @Override
    public Future<Boolean> claim(StreamRecord record) {
        return Future.succeededFuture(streams.putIfAbsent(record.name(), record) == null);
    }

    @Override
    public Future<Void> release(String name, String ownerNode) {
        streams.computeIfPresent(name, (k, v) -> v.ownerNode().equals(ownerNode) ? null : v);
        return Future.succeededFuture();
    }

    @Override
    public Future<StreamRecord> find(String name) {
        return Future.succeededFuture(streams.get(name));
    }

    @Override
    public Future<List<StreamRecord>> list() {
        return Future.succeededFuture(new ArrayList<>(streams.values()));
    }
}
