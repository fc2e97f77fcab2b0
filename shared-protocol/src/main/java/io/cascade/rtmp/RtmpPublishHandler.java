package io.cascade.rtmp;

import io.cascade.protocol.rtmp.session.PublishRequest;

/** The ingest role's answer to a publish: accept or refuse through the connection's session, then bind the stream. */
public interface RtmpPublishHandler {
    void publish(RtmpConnection connection, PublishRequest request);
}
