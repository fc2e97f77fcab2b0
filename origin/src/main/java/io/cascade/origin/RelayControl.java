package io.cascade.origin;

import io.cascade.relay.RelayConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/** What the relay verbs change: the cluster's set of pulls and pushes (each runs on one node the cluster picks). */
public interface RelayControl {
    /**
     * Adds the relay to the cluster's set; fails with {@link IllegalArgumentException} (a bad parameter: the
     * message says which) when it cannot run, such as an unknown scheme or a second pull to one local name.
     */
    Future<RelayConfig> add(RelayConfig config);

    /** The options some scheme takes (RTMP's tcUrl, RTSP's forceTcp, ...): what the verbs read from a call. */
    java.util.List<String> optionNames();

    /**
     * Every relay as configured (id, kind, local name, URI without credentials or query), read from the cluster's set
     * alone: no node is asked how its relays are doing.
     */
    Future<JsonArray> configs();

    /** Every relay, with the node running it and its state; URIs without credentials or queries. */
    Future<JsonArray> list();

    /** Removes the relay, which stops wherever it runs; false when there is none with that id. */
    Future<Boolean> remove(String id);
}
