package io.cascade.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;

/** A relay's connection to another server, as a push writes a stream's bytes to it: the same for every protocol. */
public interface RelayConnection {
    Context context();

    /** True when more than the connection's bound waits to go out: the fan-out then skips to the next keyframe. */
    boolean writeQueueFull();

    /** Queues bytes built once for many, without flushing; they are read through a view of their own. */
    void queueMedia(ByteBuf shared);

    void flush();

    /** Ends the stream the protocol's way, then closes. */
    void close(String reason);

    /** Closes at once, dropping what is queued. */
    void abort(String reason);
}
