package io.cascade.rtmp;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * How one {@link RtmpConnection}'s bytes travel: a TCP socket (plain or TLS: {@link SocketTransport}), or an RTMPT
 * session whose bytes ride HTTP POSTs ({@link RtmptServer}). Every method runs on the connection's event loop.
 */
interface RtmpTransport {
    /** The client's address, for logs. */
    String peer();

    /**
     * Starts delivering: each piece of bytes from the client to {@code input}, in order, and the transport's end
     * (whoever ended it) once to {@code closed}.
     */
    void open(Consumer<Buffer> input, Runnable closed);

    /**
     * Queues bytes without sending them yet. {@code shared} is written to many connections: the transport reads it
     * through a view of its own, so neither its indexes nor its reference count change.
     */
    void queue(ByteBuf shared);

    /** Sends what {@link #queue} queued. */
    void flush();

    /** Queues these bytes after what is queued, and sends all of it. */
    void send(byte[] bytes);

    /** True when more than the connection's bound waits to go out. */
    boolean writeQueueFull();

    /** Sends what was queued, then ends. */
    void end();

    /** Ends now; what was queued may or may not still go out (a protocol violation, a deadline). */
    void close();

    /** Ends now and drops whatever is still queued: for a client that stopped reading. */
    void abort();
}
