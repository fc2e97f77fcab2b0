package io.cascade.rtmp;

import io.cascade.protocol.rtmp.session.PlayRequest;

/** The edge role's answer to a play: start playback through the connection's session, then bind the stream. */
public interface RtmpPlayHandler {
    void play(RtmpConnection connection, PlayRequest request);

    /** Whether plays in {@code app} name files (VOD), whose names are paths rather than stream names. */
    default boolean servesFiles(String app) {
        return false;
    }
}
