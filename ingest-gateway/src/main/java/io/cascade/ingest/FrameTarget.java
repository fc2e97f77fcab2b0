package io.cascade.ingest;

import io.cascade.media.MediaFrame;

/** Where a protocol's frames go: a publisher's {@link Publication}, or a pull's {@link PulledStream}. */
public interface FrameTarget {
    void publish(MediaFrame frame);

    /** A frame the protocol could not turn into a frame: counted and logged at a limited rate. */
    void skipped(Publication.Skip why, String detail);
}
