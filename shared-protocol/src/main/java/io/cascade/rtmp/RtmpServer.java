package io.cascade.rtmp;

import io.cascade.auth.Authorisation;
import io.cascade.metrics.ConnectionLimit;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Listens for RTMP clients, over plain TCP or over TLS (RTMPS: the same protocol inside a TLS session). Deploy one
 * instance per event loop: Vert.x spreads the connections of one port over the instances. Closing the verticle
 * closes the listener and every connection it accepted.
 */
public final class RtmpServer extends VerticleBase {
    /** The protocol's name in metrics, logs and the stream registry. */
    public static final String PROTOCOL = "rtmp";
    /** A client that has not finished the handshake by then is not a real client, only a held socket. */
    public static final long HANDSHAKE_DEADLINE_MS = 10_000;
    /** A connection with no stream, or a publisher, that sends nothing this long is gone. */
    public static final long IDLE_TIMEOUT_MS = 30_000;
    /** How often deadlines are checked; they are enforced within this much of their value. */
    static final long CHECK_PERIOD_MS = 1_000;
    /**
     * How the server is set up; the handlers are shared by every instance and must be thread-safe.
     *
     * @param tls           the certificate and key for RTMPS, or null for plain RTMP
     * @param authorisation who must prove a password on connect ({@code auth.publish} or {@code auth.play}
     *                      {@code password}); everything else is decided when a stream is named
     * @param limit         the connections the listener holds at most, over all its instances
     */
    public record Settings(String host, int port, RtmpPublishHandler publishHandler, RtmpPlayHandler playHandler,
                           NodeCounters counters, int writeQueueBytes, int socketSendBufferBytes,
                           long handshakeDeadlineMs, long idleTimeoutMs, ServerSSLOptions tls,
                           Authorisation authorisation, ConnectionLimit limit) {
        /** Plain RTMP, asking no client for a password, with no bound on connections. */
        public Settings(String host, int port, RtmpPublishHandler publishHandler, RtmpPlayHandler playHandler,
                        NodeCounters counters, int writeQueueBytes, int socketSendBufferBytes,
                        long handshakeDeadlineMs, long idleTimeoutMs) {
            this(host, port, publishHandler, playHandler, counters, writeQueueBytes, socketSendBufferBytes,
                    handshakeDeadlineMs, idleTimeoutMs, null, Authorisation.OPEN,
                    new ConnectionLimit("unbounded", Integer.MAX_VALUE, counters.protocol(PROTOCOL)));
        }

        /** The same settings over TLS with this certificate and key. */
        public Settings withTls(ServerSSLOptions tlsOptions) {
            return new Settings(host, port, publishHandler, playHandler, counters, writeQueueBytes,
                    socketSendBufferBytes, handshakeDeadlineMs, idleTimeoutMs, tlsOptions, authorisation, limit);
        }

        /** The same settings with clients' passwords checked as {@code auth} says. */
        public Settings withAuthorisation(Authorisation auth) {
            return new Settings(host, port, publishHandler, playHandler, counters, writeQueueBytes,
                    socketSendBufferBytes, handshakeDeadlineMs, idleTimeoutMs, tls, auth, limit);
        }

        /** The same settings with this bound on connections (one per listener: instances share it). */
        public Settings withLimit(ConnectionLimit connections) {
            return new Settings(host, port, publishHandler, playHandler, counters, writeQueueBytes,
                    socketSendBufferBytes, handshakeDeadlineMs, idleTimeoutMs, tls, authorisation, connections);
        }
    }

    /** The publish handler of a node that does not ingest. */
    public static final RtmpPublishHandler NO_PUBLISHING = (c, r) -> {
        c.session().refusePublish(r.streamId(), "NetStream.Publish.Denied", "This node does not accept publishers.");
    };
    /** The play handler of a node that serves no viewers. */
    public static final RtmpPlayHandler NO_PLAYBACK = (c, r) -> c.session().playNotFound(r.streamId(), r.name());

    private final Settings settings;
    private final Set<RtmpConnection> connections = new HashSet<>();
    private final RtmpConnection.Owner owner;
    private NetServer server;
    private long timer;

    public RtmpServer(Settings settings) {
        this.settings = settings;
        this.owner = new RtmpConnection.Owner(settings.publishHandler(), settings.playHandler(), settings.counters(),
                settings.counters().protocol(PROTOCOL), settings.authorisation(), this::forget);
    }

    @Override
    public Future<?> start() {
        NetServerOptions options = new NetServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setTcpNoDelay(true);
        if (settings.socketSendBufferBytes() > 0) {
            // fixed kernel buffer: a stalled viewer reaches its queue limit sooner (0 keeps kernel autotuning)
            options.setSendBufferSize(settings.socketSendBufferBytes());
        }
        if (settings.tls() != null) {
            options.setSsl(true).setKeyCertOptions(settings.tls().getKeyCertOptions());
        }
        server = vertx.createNetServer(options).connectHandler(this::accept);
        long period = Math.min(CHECK_PERIOD_MS, Math.max(10, settings.handshakeDeadlineMs() / 4));
        timer = vertx.setPeriodic(period, id -> checkTimeouts());
        return server.listen();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return server.close();
    }

    /**
     * Uses a new certificate and key for the connections accepted from now on (those already open keep theirs);
     * completes with whether anything changed.
     */
    public Future<Boolean> updateTls(ServerSSLOptions tls) {
        return server.updateSSLOptions(tls);
    }

    /** The port actually bound (differs from the setting when that was ephemeral). */
    public int actualPort() {
        return server.actualPort();
    }

    private void accept(NetSocket socket) {
        if (!settings.limit().tryOpen((settings.tls() != null ? "rtmps " : "rtmp ") + settings.host() + ":"
                + server.actualPort(), socket.remoteAddress())) {
            socket.close();
            return;
        }
        connections.add(new RtmpConnection(new SocketTransport(socket, settings.writeQueueBytes()),
                Vertx.currentContext(), owner));
    }

    private void forget(RtmpConnection c) {
        if (connections.remove(c)) {
            settings.limit().closed();
        }
    }

    private void checkTimeouts() {
        long now = System.nanoTime();
        for (RtmpConnection c : Set.copyOf(connections)) {
            c.checkTimeouts(now, TimeUnit.MILLISECONDS.toNanos(settings.handshakeDeadlineMs()),
                    TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMs()));
        }
    }
}
