package io.cascade.rtmp;

import io.cascade.protocol.rtmp.chunk.RtmpMessage;

/** What a role attaches to one NetStream of a connection. Called on the connection's event loop. */
public interface StreamBinding {
    /** Audio, video or data from a publishing client. */
    default void onMedia(RtmpMessage message) {
    }

    /** The client closed or deleted the stream, or the connection ended. Called once. */
    void onClosed();

    /** A {@code seek} on a play of a file: true when playback starts again from {@code millis}. */
    default boolean onSeek(long millis) {
        return false;
    }

    /** A {@code pause} (true) or unpause (false) on a play of a file. */
    default void onPause(boolean pause) {
    }
}
