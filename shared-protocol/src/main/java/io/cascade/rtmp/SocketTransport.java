package io.cascade.rtmp;

import io.cascade.net.SocketOutput;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * RTMP over a TCP socket, plain or TLS. Everything goes out in one order through a {@link SocketOutput}: queued media
 * is not flushed, so a caller can flush many viewers' frames together, and {@link #send} flushes at once.
 */
final class SocketTransport implements RtmpTransport {
    private static final Logger log = LoggerFactory.getLogger(SocketTransport.class);

    private final NetSocket socket;
    private final SocketOutput output;
    private final String peer;

    SocketTransport(NetSocket socket, int writeQueueBytes) {
        this.socket = socket;
        // the write queue counts as full above writeQueueBytes, and as drained again below half of it
        this.output = new SocketOutput(((NetSocketInternal) socket).channelHandlerContext(), writeQueueBytes);
        this.peer = String.valueOf(socket.remoteAddress());
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void open(Consumer<Buffer> input, Runnable closed) {
        socket.handler(input::accept);
        socket.closeHandler(v -> closed.run());
        socket.exceptionHandler(e -> log.debug("{}: socket error: {}", peer, e.toString()));
    }

    @Override
    public void queue(ByteBuf shared) {
        output.queue(shared);
    }

    @Override
    public void flush() {
        output.flush();
    }

    @Override
    public void send(byte[] bytes) {
        output.send(bytes);
    }

    @Override
    public boolean writeQueueFull() {
        return output.full();
    }

    @Override
    public void end() {
        output.flush();
        socket.end();
    }

    @Override
    public void close() {
        output.flush();
        socket.close();
    }

    @Override
    public void abort() {
        output.abort();
    }
}
