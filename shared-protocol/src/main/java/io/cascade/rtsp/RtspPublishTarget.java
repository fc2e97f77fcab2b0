package io.cascade.rtsp;

import io.cascade.media.MediaFrame;

/** An admitted RTSP publish as the connection feeds it; used on the connection's event loop. */
public interface RtspPublishTarget {
    /** The stream's public name: the one name logged at INFO. */
    String name();

    /**
     * RECORD: the stream goes live. {@code detail} is logged with the start; {@code end} ends the publisher's
     * session, from any thread, when the node sends its publishers away.
     */
    void start(String detail, Runnable end);

    void frame(MediaFrame frame);

    /** Something in the publisher's RTP could not become a frame (counted, logged at a limited rate). */
    void skipped(boolean damaged, String detail);

    /** The publisher left, tore down, or never recorded: the name is free again. Safe to call twice. */
    void close(long bytesIn);
}
