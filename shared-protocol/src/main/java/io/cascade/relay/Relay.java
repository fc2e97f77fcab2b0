package io.cascade.relay;

import io.vertx.core.json.JsonObject;

/** A running relay: a pull or push of one protocol, on this node, until stopped. */
public interface Relay {
    /** Stops for good: ends the connection and makes no further attempt. */
    void stop();

    /** What the relay does now, for listPullPushConfig: state, attempts, last error (never credentials). */
    JsonObject status();
}
