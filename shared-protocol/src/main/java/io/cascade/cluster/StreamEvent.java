package io.cascade.cluster;

import java.util.Objects;

/**
 * A change in a stream's life, published on {@link Addresses#STREAM_EVENTS} for every node. {@code publish} names
 * one publish of the stream (one publisher session on one node), so a node can tell the start of the publish it
 * already follows, which may reach it after the subscription did, from a republish elsewhere.
 */
public record StreamEvent(Kind kind, String stream, String publish) {
    public enum Kind {
        /** A publisher started; a snapshot request now returns its config. */
        STARTED,
        /** The publisher went away; viewers stay and wait for a republish. */
        STOPPED
    }

    public StreamEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(publish, "publish");
    }
}
