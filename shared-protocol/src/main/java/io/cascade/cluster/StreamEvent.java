package io.cascade.cluster;

import java.util.Objects;

/** A change in a stream's life, sent on its media address so it is ordered with the frames. */
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
