package io.cascade.edge.ws;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.metrics.NodeCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.buffer.BufferInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket viewer: its socket as the fan-out's {@link ViewerOutput}, and the guard on what the client sends.
 * Everything runs on the socket's event loop.
 */
final class WsViewer implements ViewerOutput {
    private static final Logger log = LoggerFactory.getLogger(WsViewer.class);

    /** Messages a viewer may send (all ignored) before its socket is closed: a player sends none. */
    static final int MAX_CLIENT_MESSAGES = 16;
    /** How often the server pings: a half-open socket of a paused viewer (no media flowing) is found this way. */
    static final long PING_INTERVAL_MS = 10_000;
    /** A socket with no pong for this long (three pings) is closed. */
    static final long PONG_TIMEOUT_MS = 30_000;
    /** Close codes (RFC 6455 7.4): 1008 policy violation, 1009 message too big; 4404 (private use) not found. */
    static final short CLOSE_POLICY = 1008;
    static final short CLOSE_TOO_BIG = 1009;
    static final short CLOSE_NOT_FOUND = 4404;

    private final Vertx vertx;
    private final ServerWebSocket socket;
    /** The TCP connection under the socket, closed at once when the viewer must go without a goodbye. */
    private final HttpConnection connection;
    private final Context context;
    private final NodeCounters.ProtocolCounters counters;
    private final String peer;
    private final long pinger;
    private final long pongTimeoutNanos;
    private Viewer viewer;
    private boolean closed;
    private long lastPongNanos = System.nanoTime();
    private int messages;
    private long messageBytes;
    /** The init unit to send before the next fragment, if it differs from {@link #sentInit}. */
    private ByteBuf pendingInit;
    private ByteBuf sentInit;

    WsViewer(Vertx vertx, ServerWebSocket socket, HttpConnection connection, NodeCounters.ProtocolCounters counters,
             int queueBytes, long pingIntervalMs, long pongTimeoutMs) {
        this.vertx = vertx;
        this.socket = socket;
        this.connection = connection;
        this.context = vertx.getOrCreateContext();
        this.counters = counters;
        this.peer = String.valueOf(socket.remoteAddress());
        this.pongTimeoutNanos = pongTimeoutMs * 1_000_000;
        socket.setWriteQueueMaxSize(queueBytes);
        socket.frameHandler(this::onFrame);
        socket.pongHandler(b -> lastPongNanos = System.nanoTime());
        socket.exceptionHandler(e -> log.debug("{}: {}", peer, e.toString()));
        socket.closeHandler(v -> end());
        pinger = vertx.setPeriodic(pingIntervalMs, id -> ping());
    }

    /** The fan-out's viewer of this socket, closed with it. */
    void bind(Viewer v) {
        viewer = v;
        if (closed) {
            v.close();
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (closed || frame.isClose()) {
            return;
        }
        Buffer data = frame.binaryData();
        int length = data == null ? 0 : data.length();
        counters.bytesIn.add(length);
        if (frame.isPing() || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
            return; // control frames: Vert.x answers pings itself
        }
        messageBytes += length;
        if (messageBytes > WsPlayback.MAX_MESSAGE_BYTES) {
            violation(CLOSE_TOO_BIG, "message over " + WsPlayback.MAX_MESSAGE_BYTES + " bytes");
            return;
        }
        if (frame.isFinal()) {
            messageBytes = 0;
            if (++messages > MAX_CLIENT_MESSAGES) {
                violation(CLOSE_POLICY, "a viewer sends nothing on this socket");
            }
        }
    }

    private void violation(short code, String why) {
        counters.violations.increment();
        log.info("{}: closing WebSocket: {}", peer, why);
        end();
        socket.close(code, why);
    }

    private void ping() {
        if (closed) {
            return;
        }
        if (System.nanoTime() - lastPongNanos > pongTimeoutNanos) {
            log.info("{}: closing WebSocket: no pong for {} s", peer, pongTimeoutNanos / 1_000_000_000L);
            end();
            abort();
            return;
        }
        socket.writePing(Buffer.buffer());
    }

    /** The viewer leaves the fan-out and the timer stops; called once, whoever ends first. */
    private void end() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(pinger);
        if (viewer != null) {
            viewer.close();
        }
    }

    /** Closes the TCP connection at once, whatever is queued. */
    private void abort() {
        connection.close(); // no grace period: the channel closes now, whatever is queued
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void startPlaying() {
        // the init segment goes with the first fragment: nothing to say before
    }

    @Override
    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    @Override
    public void write(EncodedFrame frame) {
        if (closed) {
            return;
        }
        ByteBuf unit = frame.bytes();
        if (Fmp4Encoder.kind(unit) == Fmp4Encoder.INIT) {
            pendingInit = unit; // sent with the next fragment: the newest config of every track by then
            return;
        }
        if (pendingInit != null) {
            if (sentInit == null || !ByteBufUtil.equals(pendingInit, sentInit)) {
                String mime = Fmp4Encoder.mimeType(pendingInit);
                socket.writeTextMessage(mime);
                send(Fmp4Encoder.body(pendingInit));
                counters.bytesOut.add(mime.length());
                sentInit = pendingInit;
            }
            pendingInit = null;
        }
        send(Fmp4Encoder.body(unit));
    }

    /** A binary message of shared bytes: a view for this socket, never released by it. */
    private void send(ByteBuf shared) {
        counters.bytesOut.add(shared.readableBytes());
        socket.writeBinaryMessage(BufferInternal.buffer(Unpooled.unreleasableBuffer(shared.duplicate())));
    }

    @Override
    public void flush() {
        // every message is flushed as it is written
    }

    @Override
    public void disconnect() {
        end();
        abort();
    }

    @Override
    public void notFound() {
        end();
        socket.close(CLOSE_NOT_FOUND, "stream not found");
    }

    @Override
    public void unpublished() {
        // the viewer waits; the next publish's init (when it differs) and fragments follow
    }

    @Override
    public void republished() {
    }
}
