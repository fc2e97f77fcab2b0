package io.cascade.ingest;

/**
 * Where a publish that asks to be recorded goes: RTMP's publish types {@code record} (the file replaced) and
 * {@code append} (the file continued), which FMS and EMS honour by writing the stream to a file while it lasts. The
 * node implements it with its recordings; the protocol only says which publishes asked, under their public names.
 */
@FunctionalInterface
public interface PublishRecording {
    /** A node that records no publish: the type is accepted and ignored, as for a live publish. */
    PublishRecording NONE = (stream, append) -> () -> { };

    /**
     * The publish of {@code stream} started and asked to be recorded; returns what to call once it ends. From the
     * publisher's event loop; must not block.
     */
    Runnable started(String stream, boolean append);
}
