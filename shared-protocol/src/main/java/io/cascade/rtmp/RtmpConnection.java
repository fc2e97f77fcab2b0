package io.cascade.rtmp;

import io.cascade.net.Received;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.auth.Action;
import io.cascade.auth.Authorisation;
import io.cascade.auth.Credentials;
import io.cascade.protocol.rtmp.session.ConnectRequest;
import io.cascade.protocol.rtmp.session.PlayRequest;
import io.cascade.protocol.rtmp.session.PublishRequest;
import io.cascade.protocol.rtmp.session.RtmpSession;
import io.cascade.metrics.NodeCounters;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One RTMP client: feeds its bytes to the {@link RtmpSession}, writes what the session and the roles send, and
 * closes on the first protocol violation without touching any other connection. All methods run on the
 * connection's event loop ({@link #context()}); roles on other threads hop there first.
 *
 * <p>The bytes travel over an {@link RtmpTransport}: a TCP socket, plain or TLS, or an RTMPT session over HTTP.
 * Everything goes out in one order: media is queued without a flush so a caller can flush many viewers' frames
 * together ({@link #queueMedia}, {@link #flush}), and the session's own messages are flushed at once.
 */
public final class RtmpConnection implements RtmpSession.Listener {
    private static final Logger log = LoggerFactory.getLogger(RtmpConnection.class);

    /**
     * What a connection reports to the server that accepted it, whatever its transport: the roles' handlers, the
     * protocol's counters, and its end.
     */
    record Owner(RtmpPublishHandler publishHandler, RtmpPlayHandler playHandler, NodeCounters nodeCounters,
                 NodeCounters.ProtocolCounters counters, Authorisation authorisation,
                 Consumer<RtmpConnection> forget) {
    }

    private final RtmpTransport transport;
    private final Context context;
    private final Owner owner;
    private final RtmpSession session = new RtmpSession(this);
    private final Map<Integer, StreamBinding> bindings = new HashMap<>();
    private final String peer;
    private final long openedAtNanos = System.nanoTime();
    private long lastReadNanos = openedAtNanos;
    private long bytesIn;
    private long bytesOut;
    private boolean closed;
    private boolean publishing;
    private boolean unflushed;
    private boolean rejected;
    /** The user this connection proved a password for on connect, "" when none. */
    private String user = "";

    RtmpConnection(RtmpTransport transport, Context context, Owner owner) {
        this.transport = transport;
        this.context = context;
        this.owner = owner;
        this.peer = transport.peer();
        transport.open(this::onData, this::onTransportClosed);
    }

    public RtmpSession session() {
        return session;
    }

    public Context context() {
        return context;
    }

    public String peer() {
        return peer;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * What the client presented for a stream it names: the query after the name, and the user it proved on
     * connect. RTMP's password step is over by then, so a connection without a user is refused, not challenged.
     */
    public Credentials credentials(String query) {
        return new Credentials(query, user, true);
    }

    /** Attaches a role's handling to a NetStream; it is told when the stream or the connection closes. */
    public void bind(int streamId, StreamBinding binding) {
        if (closed) {
            binding.onClosed();
            return;
        }
        bindings.put(streamId, binding);
    }

    /**
     * Queues bytes built once for many viewers, without flushing. The buffer is shared: it is written through
     * a view of its own, so neither its indexes nor its reference count change.
     */
    public void queueMedia(ByteBuf shared) {
        if (!closed) {
            int n = shared.readableBytes();
            bytesOut += n;
            owner.counters().bytesOut.add(n);
            transport.queue(shared);
            unflushed = true;
        }
    }

    /** Sends what {@link #queueMedia} queued. */
    public void flush() {
        if (unflushed) {
            unflushed = false;
            transport.flush();
        }
    }

    /** True when more than the configured bytes wait in this connection's outbound queue. */
    public boolean writeQueueFull() {
        return transport.writeQueueFull();
    }

    public long bytesIn() {
        return bytesIn;
    }

    /** Closes at once, dropping whatever is still queued: for a viewer that stopped reading. */
    public void abort() {
        if (!closed) {
            transport.abort();
        }
    }

    /** Flushes what was written, then closes. */
    public void close() {
        if (!closed) {
            transport.end();
        }
    }

    private void onData(Buffer data) {
        if (closed || rejected) {
            return;
        }
        lastReadNanos = System.nanoTime();
        bytesIn += data.length();
        owner.counters().bytesIn.add(data.length());
        try {
            Received.read(data, session::receive);
            if (rejected) {
                transport.end(); // after the rejection the session wrote: the client connects again, or gives up
            }
        } catch (RtmpProtocolException e) {
            log.warn("{}: closing, protocol violation: {}", peer, e.getMessage());
            owner.counters().violations.increment();
            transport.close();
        } catch (RuntimeException e) {
            // a bug must cost this connection only, never the event loop
            log.error("{}: closing after an internal error", peer, e);
            transport.close();
        }
    }

    private void onTransportClosed() {
        if (closed) {
            return;
        }
        closed = true;
        List<StreamBinding> open = new ArrayList<>(bindings.values());
        bindings.clear();
        for (StreamBinding b : open) {
            b.onClosed();
        }
        owner.forget().accept(this);
        log.debug("{}: closed ({} bytes in, {} out)", peer, bytesIn, bytesOut);
    }

    /** Deadline and idleness checks, called periodically by the server on this connection's event loop. */
    void checkTimeouts(long now, long handshakeDeadlineNanos, long idleNanos) {
        if (closed) {
            return;
        }
        if (!session.handshakeDone() && now - openedAtNanos > handshakeDeadlineNanos) {
            log.info("{}: closing, handshake not finished in time", peer);
            transport.close();
        } else if (bindings.isEmpty() && now - lastReadNanos > idleNanos) {
            log.info("{}: closing, idle with no stream", peer);
            transport.close();
        } else if (publishing && now - lastReadNanos > idleNanos) {
            log.info("{}: closing, publisher sent nothing for {} s", peer, idleNanos / 1_000_000_000L);
            transport.close();
        }
    }

    /** Marks this connection as a publisher, so silence counts against it. */
    public void markPublishing() {
        publishing = true;
    }

    // ---- RtmpSession.Listener ----

    @Override
    public void send(byte[] bytes) {
        if (!closed) {
            bytesOut += bytes.length;
            owner.counters().bytesOut.add(bytes.length);
            unflushed = false; // this flush sends any queued media too
            transport.send(bytes);
        }
    }

    /**
     * Asks for a password (RTMP's Adobe challenge) when one is needed: from every client when plays need one, from
     * encoders (and clients that start the challenge themselves) when publishes do. A connection that proves no user
     * may still connect where only the other action needs one; naming a stream then decides.
     */
    @Override
    public String onConnect(ConnectRequest request) {
        Authorisation auth = owner.authorisation();
        boolean publishNeeds = auth.mode(Action.PUBLISH) == Authorisation.Mode.PASSWORD;
        boolean playNeeds = auth.mode(Action.PLAY) == Authorisation.Mode.PASSWORD;
        if (!(playNeeds || publishNeeds && (request.fromEncoder() || request.query().contains("authmod=")))) {
            return null;
        }
        AdobeAuth.Answer answer = AdobeAuth.connect(auth.passwords(), request.query(),
                System.currentTimeMillis() / 1000);
        if (answer.rejection() != null) {
            rejected = true;
            if (answer.rejection().equals(AdobeAuth.FAILED)) {
                // counted as what the client most likely came for: encoders publish
                (request.fromEncoder() ? owner.nodeCounters().publishRefusedUnauthorised
                        : owner.nodeCounters().playRefusedUnauthorised).increment();
                log.info("{}: connect refused, the password check failed", peer);
            } else {
                log.debug("{}: connect answered with a password challenge", peer);
            }
            return answer.rejection();
        }
        user = answer.user();
        log.debug("{}: connected as user {}", peer, user);
        return null;
    }

    @Override
    public void onPublish(PublishRequest request) {
        owner.publishHandler().publish(this, request);
    }

    @Override
    public void onPlay(PlayRequest request) {
        owner.playHandler().play(this, request);
    }

    @Override
    public void onMedia(int streamId, RtmpMessage message) {
        StreamBinding b = bindings.get(streamId);
        if (b != null) {
            b.onMedia(message);
        }
    }

    @Override
    public boolean servesFiles(String app) {
        return owner.playHandler().servesFiles(app);
    }

    @Override
    public boolean onSeek(int streamId, long millis) {
        StreamBinding b = bindings.get(streamId);
        return b != null && b.onSeek(millis);
    }

    @Override
    public void onPause(int streamId, boolean pause) {
        StreamBinding b = bindings.get(streamId);
        if (b != null) {
            b.onPause(pause);
        }
    }

    @Override
    public void onStreamClosed(int streamId) {
        StreamBinding b = bindings.remove(streamId);
        if (b != null) {
            b.onClosed();
        }
    }
}
