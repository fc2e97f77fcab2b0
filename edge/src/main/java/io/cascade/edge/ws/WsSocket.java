package io.cascade.edge.ws;

import io.cascade.edge.fanout.HardClose;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every WebSocket of the node's viewers shares, whatever it carries: the socket as the fan-out's
 * {@link ViewerOutput}, the bound on what the client sends (a message over the socket's limit closes it), and the
 * pings that find half-open sockets. Each kind of socket says what it does with a whole message. Everything runs on
 * the socket's event loop.
 */
abstract class WsSocket implements ViewerOutput {
    private static final Logger log = LoggerFactory.getLogger(WsSocket.class);

    /** How often the server pings: a half-open socket of a paused viewer (no media flowing) is found this way. */
    static final long PING_INTERVAL_MS = 10_000;
    /** A socket with no pong for this long (three pings) is closed. */
    static final long PONG_TIMEOUT_MS = 30_000;
    /** Close codes (RFC 6455 7.4): 1008 policy violation, 1009 message too big; 4404 (private use) not found. */
    static final short CLOSE_POLICY = 1008;
    /** RFC 6455's "going away": the server goes down; the client may connect elsewhere. */
    static final short CLOSE_GOING_AWAY = 1001;
    static final short CLOSE_TOO_BIG = 1009;
    static final short CLOSE_NOT_FOUND = 4404;

    final ServerWebSocket socket;
    final NodeCounters.ProtocolCounters counters;
    final String peer;
    private final Vertx vertx;
    /** The TCP connection under the socket, closed at once when the viewer must go without a goodbye. */
    private final HttpConnection connection;
    private final Context context;
    private final long pinger;
    private final long pongTimeoutNanos;
    private final int maxMessageBytes;
    private final boolean keepsMessages;
    Viewer viewer;
    private boolean closed;
    private long lastPongNanos = System.nanoTime();
    private long messageBytes;
    private boolean messageIsText;
    /** The message being received, when this kind of socket reads messages. */
    private Buffer message;

    /**
     * @param maxMessageBytes a client message over this closes the socket (1009)
     * @param keepsMessages   whether {@link #onMessage} gets the message's bytes (else only that one came)
     */
    WsSocket(Vertx vertx, ServerWebSocket socket, HttpConnection connection, NodeCounters.ProtocolCounters counters,
             int queueBytes, long pingIntervalMs, long pongTimeoutMs, int maxMessageBytes, boolean keepsMessages) {
        this.vertx = vertx;
        this.socket = socket;
        this.connection = connection;
        this.context = vertx.getOrCreateContext();
        this.counters = counters;
        this.peer = String.valueOf(socket.remoteAddress());
        this.pongTimeoutNanos = pongTimeoutMs * 1_000_000;
        this.maxMessageBytes = maxMessageBytes;
        this.keepsMessages = keepsMessages;
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

    /** Whether the socket ended here or was closed by the client (whose close handler may not have run yet). */
    boolean closed() {
        return closed || socket.isClosed();
    }

    /** A whole message from the client: text or binary, and its bytes when this socket keeps them (else null). */
    abstract void onMessage(boolean text, Buffer message);

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
        if (!frame.isContinuation()) {
            messageIsText = frame.isText();
            messageBytes = 0;
            message = keepsMessages ? Buffer.buffer(Math.min(length, maxMessageBytes)) : null;
        }
        messageBytes += length;
        if (messageBytes > maxMessageBytes) {
            violation(CLOSE_TOO_BIG, "message over " + maxMessageBytes + " bytes");
            return;
        }
        if (message != null && data != null) {
            message.appendBuffer(data);
        }
        if (frame.isFinal()) {
            Buffer whole = message;
            message = null;
            messageBytes = 0;
            onMessage(messageIsText, whole);
        }
    }

    /** The client broke this socket's rules: counted, and the socket closed with the code and reason. */
    void violation(short code, String why) {
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
        message = null;
        vertx.cancelTimer(pinger);
        if (viewer != null) {
            viewer.close();
        }
    }

    /** Closes the TCP connection at once, whatever is queued. */
    private void abort() {
        HardClose.now(connection); // no grace period: the channel closes now, whatever is queued
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
    }

    @Override
    public boolean writeQueueFull() {
        // a socket the client closed stays in the fan-out until its close handler has run, and Vert.x throws when
        // asked about the queue of a closed socket: nothing is queued for it any more
        return !socket.isClosed() && socket.writeQueueFull();
    }

    @Override
    public void flush() {
        // every message written through the WebSocket API is flushed as it is written
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
    public void unauthorised() {
        end();
        socket.close(CLOSE_POLICY, "not authorised");
    }

    @Override
    public void goingAway() {
        end();
        socket.close(CLOSE_GOING_AWAY, "server going out of service");
    }

    @Override
    public void unpublished() {
        // the viewer waits for the next publish
    }

    @Override
    public void republished() {
    }
}
