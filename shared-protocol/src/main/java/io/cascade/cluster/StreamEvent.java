package io.cascade.cluster;

import java.util.Objects;

/** A change in a stream's life, published on {@link Addresses#STREAM_EVENTS} for every node. */
public record StreamEvent(Kind kind, String stream) {
    public enum Kind {
        /** A publisher started; a snapshot request now returns its config. */
        STARTED,
        /** The publisher went away; viewers stay and wait for a republish. */
        STOPPED
    }

    public StreamEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(stream, "stream");
    }
}
