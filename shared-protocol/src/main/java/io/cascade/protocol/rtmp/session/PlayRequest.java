package io.cascade.protocol.rtmp.session;

/**
 * A client asked to play a stream.
 *
 * @param start    seconds: -2 live or recorded, -1 live only, 0 or more a recorded offset (live streams ignore it)
 * @param duration seconds, -1 until the end
 * @param reset    whether a previous playlist is to be flushed (always answered with Play.Reset when true)
 */
public record PlayRequest(int streamId, String app, String name, String query, double start, double duration,
                          boolean reset) {
}
