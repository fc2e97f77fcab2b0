package io.cascade.edge.ws;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.metrics.NodeCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * One WebSocket fMP4 viewer ({@code /<stream>/ws}): the fMP4 units of the fan-out as messages (the MIME type and the
 * clock as text, init segments and fragments as binary), and a client that has nothing to say. Everything runs on the socket's event loop.
 */
final class WsViewer extends WsSocket {
    /** Messages a viewer may send (all ignored) before its socket is closed: a player sends none. */
    static final int MAX_CLIENT_MESSAGES = 16;

    private int messages;
    /** The init unit to send before the next fragment, if it differs from {@link #sentInit}. */
    private ByteBuf pendingInit;
    private ByteBuf sentInit;

    WsViewer(Vertx vertx, ServerWebSocket socket, HttpConnection connection, NodeCounters.ProtocolCounters counters,
             int queueBytes, long pingIntervalMs, long pongTimeoutMs) {
        super(vertx, socket, connection, counters, queueBytes, pingIntervalMs, pongTimeoutMs,
                WsPlayback.MAX_MESSAGE_BYTES, false);
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
                sendText(Fmp4Encoder.text(pendingInit));
                send(Fmp4Encoder.body(pendingInit));
                sentInit = pendingInit;
            }
            pendingInit = null;
        }
        if (Fmp4Encoder.kind(unit) == Fmp4Encoder.CLOCK) {
            sendText(Fmp4Encoder.text(unit)); // the wall clock of the fragment that follows
        }
        send(Fmp4Encoder.body(unit));
    }

    private void sendText(String ascii) {
        counters.bytesOut.add(ascii.length());
        socket.writeTextMessage(ascii);
    }

    /** A binary message of shared bytes: a view for this socket, never released by it. */
    private void send(ByteBuf shared) {
        counters.bytesOut.add(shared.readableBytes());
        socket.writeBinaryMessage(BufferInternal.buffer(Unpooled.unreleasableBuffer(shared.duplicate())));
    }
}
