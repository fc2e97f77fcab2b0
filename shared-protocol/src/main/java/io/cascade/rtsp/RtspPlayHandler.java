package io.cascade.rtsp;

import io.cascade.auth.Credentials;
import io.cascade.media.MediaFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;

/** The edge role's answer to DESCRIBE and PLAY. */
public interface RtspPlayHandler {
    /**
     * DESCRIBE: the stream's configuration frames once it is live on this node (waiting up to the play wait), or a
     * failed future with an {@link RtspRefusal} (401 when authorisation says no, 404 when nobody publishes the name).
     * Completes on {@code context}.
     *
     * @param credentials what the client presented, for authorisation: the query after the name, the user its
     *                    {@code Authorization} header proved
     */
    Future<List<MediaFrame>> describe(String name, Credentials credentials, String peer, Context context);

    /** PLAY: the viewer starts; what it returns is closed by the connection at PAUSE, TEARDOWN or close. */
    AutoCloseable play(RtspConnection connection, RtspPlayRequest request);

    /** Media files played on demand beside the live streams: none unless the node serves VOD folders. */
    default RtspVodHandler vod() {
        return RtspVodHandler.NONE;
    }
}
