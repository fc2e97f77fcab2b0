package io.cascade.rtsp;

import io.cascade.auth.Credentials;
import io.vertx.core.Future;

/** The ingest role's answer to an ANNOUNCE: admission of the name, and where the publisher's frames go. */
public interface RtspPublishHandler {
    /**
     * Asks to publish {@code name}. Completes on the caller's context with the target that takes the stream, or
     * fails with an {@link RtspRefusal}.
     *
     * @param credentials what the client presented, for authorisation: the query after the name, the user its
     *                    {@code Authorization} header proved
     */
    Future<RtspPublishTarget> announce(String name, Credentials credentials, String peer);
}
