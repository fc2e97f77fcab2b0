package io.cascade.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * RTMP over a TCP socket, plain or TLS. Everything goes out through the socket's Netty pipeline directly, in one
 * order (through the TLS handler when there is one): queued media is not flushed, so a caller can flush many
 * viewers' frames together, and {@link #send} flushes at once.
 */
final class SocketTransport implements RtmpTransport {
    private static final Logger log = LoggerFactory.getLogger(SocketTransport.class);

    private final NetSocket socket;
    private final ChannelHandlerContext channel;
    private final String peer;

    SocketTransport(NetSocket socket, int writeQueueBytes) {
        this.socket = socket;
        this.channel = ((NetSocketInternal) socket).channelHandlerContext();
        // the write queue counts as full above writeQueueBytes, and as drained again below half of it
        channel.channel().config()
                .setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueBytes / 2, writeQueueBytes));
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
        channel.write(Unpooled.unreleasableBuffer(shared.duplicate()), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void send(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
    }

    @Override
    public boolean writeQueueFull() {
        return !channel.channel().isWritable();
    }

    @Override
    public void end() {
        socket.end();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public void abort() {
        channel.channel().close();
    }
}
