package io.cascade.edge;

import io.vertx.core.Future;

/** Where a hub learns which node ingests a stream now (the stream registry), so it subscribes to that node. */
@FunctionalInterface
public interface StreamOwners {
    /** The node that owns the live stream, or null when nobody publishes it. */
    Future<String> owner(String stream);
}
