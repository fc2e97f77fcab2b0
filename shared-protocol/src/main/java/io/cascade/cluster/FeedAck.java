package io.cascade.cluster;

import java.util.Objects;

/**
 * A node's acknowledgement of a stream's feed: it has received every frame up to {@code sequence}; with
 * {@code leaving} it wants no more.
 */
public record FeedAck(String node, long sequence, boolean leaving) {
    public FeedAck {
        Objects.requireNonNull(node, "node");
    }
}
