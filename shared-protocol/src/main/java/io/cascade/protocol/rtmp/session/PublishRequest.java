package io.cascade.protocol.rtmp.session;

/**
 * A client asked to publish on one of its streams.
 *
 * @param streamId message stream id the client publishes on
 * @param app      application from connect (e.g. "live")
 * @param name     stream name without its query string
 * @param query    what followed '?' in the stream name (kept for authentication), or ""
 * @param type     "live", "record" or "append"
 */
public record PublishRequest(int streamId, String app, String name, String query, String type) {
}
