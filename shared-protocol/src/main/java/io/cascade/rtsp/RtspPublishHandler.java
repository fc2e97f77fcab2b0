package io.cascade.rtsp;

import io.vertx.core.Future;

/** The ingest role's answer to an ANNOUNCE: admission of the name, and where the publisher's frames go. */
public interface RtspPublishHandler {
    /**
     * Asks to publish {@code name}. Completes on the caller's context with the target that takes the stream, or
     * fails with an {@link RtspRefusal}.
     *
     * @param query what followed the name after '?' ("" when none), for authorisation
     */
    Future<RtspPublishTarget> announce(String name, String query, String peer);
}
