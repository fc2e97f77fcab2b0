package io.cascade.rtmp;

import io.cascade.metrics.NodeCounters;
import io.cascade.net.Received;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.session.RtmpClientSession;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection this node opens to another RTMP server, to play a stream from it (a pull) or publish one to it (a
 * push): a socket driven by an {@link RtmpClientSession}. It must reach the started stream within
 * {@link #START_TIMEOUT_MS}, and a pull that receives nothing for {@link #SILENCE_TIMEOUT_MS} is closed: a relay
 * then connects again rather than wait on a server that forgot it. Everything runs on the context that opened it.
 */
public final class RtmpClientConnection implements RtmpClientSession.Listener, io.cascade.relay.RelayConnection {
    private static final Logger log = LoggerFactory.getLogger(RtmpClientConnection.class);

    /** TCP connect, handshake, connect, createStream and play or publish: seconds on any reachable server. */
    public static final long START_TIMEOUT_MS = 10_000;
    /** A played stream sends frames every few tens of ms; this long without a byte means the source is gone. */
    public static final long SILENCE_TIMEOUT_MS = 10_000;
    private static final long CHECK_MS = 1_000;

    /** What the relay that opened the connection hears from it. */
    public interface Handler {
        /** The server started the play, or accepted the publish. */
        void onStarted(RtmpClientConnection connection);

        /** A media message of the played stream. */
        void onMedia(RtmpMessage message);

        /** The connection ended, for the reason given; called once, last. */
        void onClosed(String reason);
    }

    private final Vertx vertx;
    private final Context context;
    private final RtmpUrl url;
    private final RtmpClientSession session;
    private final NodeCounters.ProtocolCounters counters;
    private final Handler handler;
    private final RtmpClientSession.Mode mode;
    private final long openedNanos = System.nanoTime();
    private SocketTransport transport;
    private long lastReadNanos = openedNanos;
    private long timer = -1;
    private long bytesIn;
    private boolean closed;
    private String closeReason;

    private RtmpClientConnection(Vertx vertx, RtmpUrl url, RtmpClientSession.Mode mode,
                                 RtmpClientSession.ConnectOptions options, NodeCounters.ProtocolCounters counters,
                                 Handler handler) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.url = url;
        this.mode = mode;
        this.counters = counters;
        this.handler = handler;
        this.session = new RtmpClientSession(this, mode, url, options);
    }

    /**
     * Connects and starts the session; every outcome, a refused connection included, ends in the handler's
     * {@link Handler#onClosed} unless the stream starts first.
     *
     * @param writeQueueBytes bound on bytes waiting to go out (a push's is the viewer queue's); not 0: a socket that
     *                        never counts as drained never closes either
     */
    public static RtmpClientConnection open(Vertx vertx, NetClient client, RtmpUrl url, RtmpClientSession.Mode mode,
                                            RtmpClientSession.ConnectOptions options, int writeQueueBytes,
                                            NodeCounters.ProtocolCounters counters, Handler handler) {
        RtmpClientConnection c = new RtmpClientConnection(vertx, url, mode, options, counters, handler);
        c.timer = vertx.setPeriodic(CHECK_MS, id -> c.checkTimeouts());
        client.connect(url.port(), url.host()).onComplete(connected -> {
            if (connected.failed()) {
                c.closeReason = "cannot connect: " + reason(connected.cause());
                c.onTransportClosed();
                return;
            }
            c.attach(connected.result(), writeQueueBytes);
        });
        return c;
    }

    /** The failure and its root cause: "Failed to create SSL connection" alone does not say the certificate was refused. */
    private static String reason(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && depth < 8; depth++) {
            root = root.getCause();
        }
        return root == failure ? String.valueOf(failure.getMessage())
                : failure.getMessage() + ": " + root.getMessage();
    }

    private void attach(NetSocket socket, int writeQueueBytes) {
        if (closed) {
            socket.close();
            return;
        }
        transport = new SocketTransport(socket, writeQueueBytes);
        transport.open(this::onData, this::onTransportClosed);
        session.start();
    }

    public Context context() {
        return context;
    }

    /** The message stream id media is published on (a push), once started. */
    public int streamId() {
        return session.streamId();
    }

    public boolean writeQueueFull() {
        return transport != null && transport.writeQueueFull();
    }

    /** Queues bytes built once for many (a push's frames), without flushing; see {@link RtmpConnection#queueMedia}. */
    public void queueMedia(ByteBuf shared) {
        if (!closed && transport != null) {
            counters.bytesOut.add(shared.readableBytes());
            transport.queue(shared);
        }
    }

    public void flush() {
        if (!closed && transport != null) {
            transport.flush();
        }
    }

    public long bytesIn() {
        return bytesIn;
    }

    /** Tells the server the stream ends, then closes. */
    public void close(String reason) {
        if (closed) {
            return;
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        if (transport == null) {
            onTransportClosed(); // still connecting: the connect's completion closes the socket
            return;
        }
        session.stop();
        transport.end();
    }

    /** Closes at once, dropping what is queued: a push whose server stopped reading. */
    public void abort(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (transport != null) {
            transport.abort();
        } else {
            onTransportClosed();
        }
    }

    private void onData(Buffer data) {
        if (closed) {
            return;
        }
        lastReadNanos = System.nanoTime();
        bytesIn += data.length();
        counters.bytesIn.add(data.length());
        try {
            Received.read(data, session::receive);
        } catch (RtmpProtocolException e) {
            counters.violations.increment();
            closeReason = "protocol violation by the server: " + e.getMessage();
            transport.close();
        } catch (RuntimeException e) {
            log.error("{}: closing after an internal error", url.redacted(), e);
            closeReason = "internal error: " + e;
            transport.close();
        }
    }

    private void checkTimeouts() {
        long now = System.nanoTime();
        if (closed) {
            return;
        }
        if (!session.started() && now - openedNanos > START_TIMEOUT_MS * 1_000_000) {
            abort("not started within " + START_TIMEOUT_MS / 1000 + " s");
        } else if (mode == RtmpClientSession.Mode.PLAY && session.started()
                && now - lastReadNanos > SILENCE_TIMEOUT_MS * 1_000_000) {
            abort("nothing received for " + SILENCE_TIMEOUT_MS / 1000 + " s");
        }
    }

    private void onTransportClosed() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(timer);
        handler.onClosed(closeReason != null ? closeReason : "the server closed the connection");
    }

    // ---- RtmpClientSession.Listener ----

    @Override
    public void send(byte[] bytes) {
        if (!closed && transport != null) {
            counters.bytesOut.add(bytes.length);
            transport.send(bytes);
        }
    }

    @Override
    public void onStarted(int streamId) {
        handler.onStarted(this);
    }

    @Override
    public void onMedia(RtmpMessage message) {
        handler.onMedia(message);
    }

    @Override
    public void onEnded(String code, String description) {
        if (closeReason == null) {
            closeReason = code + (description.isEmpty() ? "" : " (" + description + ")");
        }
        transport.close();
    }
}
