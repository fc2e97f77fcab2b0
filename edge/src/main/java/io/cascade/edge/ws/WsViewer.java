package io.cascade.edge.ws;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.metrics.NodeCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.charset.StandardCharsets;

/**
 * One WebSocket fMP4 viewer ({@code /<stream>/ws}): the fMP4 units of the fan-out as messages (the MIME type and the
 * clock as text, init segments and fragments as binary), their frames written as the encoder built them, and a client
 * that has nothing to say. Everything runs on the socket's event loop.
 */
final class WsViewer extends WsSocket {
    /** Messages a viewer may send (all ignored) before its socket is closed: a player sends none. */
    static final int MAX_CLIENT_MESSAGES = 16;

    private int messages;
    /** The init unit to send before the next fragment, if it differs from {@link #sentInit}. */
    private ByteBuf pendingInit;
    private ByteBuf sentInit;
    /** The connection's channel, written to directly (null when the connection does not give it). */
    private final Channel channel;
    private boolean unflushed;

    WsViewer(Vertx vertx, ServerWebSocket socket, HttpConnection connection, NodeCounters.ProtocolCounters counters,
             int queueBytes, long pingIntervalMs, long pongTimeoutMs) {
        super(vertx, socket, connection, counters, queueBytes, pingIntervalMs, pongTimeoutMs,
                WsPlayback.MAX_MESSAGE_BYTES, false);
        // Vert.x's WebSocket writes and flushes each message on its own: one system call per message and viewer.
        // The frames are the same bytes for every viewer, so they are written to the channel as they are and
        // flushed once per turn of the fan-out, as RTMP viewers' are. After the upgrade the pipeline has only the
        // WebSocket frame encoder, which lets bytes through.
        channel = connection instanceof ConnectionBase c ? c.channel() : null;
        if (channel != null) {
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(queueBytes / 2, queueBytes));
        }
    }

    @Override
    void onMessage(boolean text, Buffer message) {
        if (++messages > MAX_CLIENT_MESSAGES) {
            violation(CLOSE_POLICY, "a viewer sends nothing on this socket");
        }
    }

    @Override
    public void write(EncodedFrame frame) {
        if (closed()) {
            return;
        }
        ByteBuf unit = frame.bytes();
        if (Fmp4Encoder.kind(unit) == Fmp4Encoder.INIT) {
            pendingInit = unit; // sent with the next fragment: the newest config of every track by then
            return;
        }
        if (pendingInit != null) {
            if (sentInit == null || !ByteBufUtil.equals(pendingInit, sentInit)) {
                send(pendingInit);
                sentInit = pendingInit;
            }
            pendingInit = null;
        }
        send(unit); // a clock unit brings its text message before the fragment
    }

    @Override
    public void flush() {
        if (unflushed) {
            unflushed = false;
            channel.flush();
        }
    }

    @Override
    public boolean writeQueueFull() {
        return channel != null ? !channel.isWritable() : super.writeQueueFull();
    }

    /**
     * A unit's WebSocket frames, shared by every viewer: written to the connection as they are, through a view of
     * their own (never released by this socket), and flushed with the other viewers' at the end of the fan-out's
     * turn. Without access to the connection, the same messages go through the WebSocket API one by one.
     */
    private void send(ByteBuf unit) {
        ByteBuf wire = Fmp4Encoder.wire(unit);
        counters.bytesOut.add(wire.readableBytes());
        if (channel != null) {
            channel.write(Unpooled.unreleasableBuffer(wire.duplicate()), channel.voidPromise());
            unflushed = true;
            return;
        }
        for (Fmp4Encoder.Message m : Fmp4Encoder.messages(unit)) {
            if (m.text()) {
                socket.writeTextMessage(m.payload().toString(StandardCharsets.US_ASCII));
            } else {
                socket.writeBinaryMessage(BufferInternal.buffer(Unpooled.unreleasableBuffer(m.payload().duplicate())));
            }
        }
    }
}
