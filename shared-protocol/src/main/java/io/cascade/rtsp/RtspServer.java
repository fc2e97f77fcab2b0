package io.cascade.rtsp;

import io.cascade.auth.Authorisation;
import io.cascade.auth.Credentials;
import io.cascade.metrics.ConnectionLimit;
import io.cascade.metrics.NodeCounters;
import io.cascade.media.MediaFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Listens for RTSP clients. Deploy one instance per event loop, as for RTMP: Vert.x spreads the connections of one
 * port over the instances. Each instance also owns the UDP pair its UDP players are sent from (every UDP player of
 * the instance shares it; clients tell streams apart by their own ports). Closing the verticle closes the listener,
 * the pair and every connection it accepted.
 */
public final class RtspServer extends VerticleBase {
    /** The protocol's name in metrics, logs and the stream registry. */
    public static final String PROTOCOL = "rtsp";
    /** A connection must send its first request within this; before that it is only a held socket. */
    public static final long FIRST_REQUEST_DEADLINE_MS = 10_000;
    /** RTSP's default session timeout (RFC 2326 12.37), announced in every Session header. */
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 60_000;
    /** A recording publisher that sends nothing this long has gone, whatever the session timeout. */
    public static final long PUBLISHER_SILENCE_MS = 10_000;
    /** How long a publish waits for RTCP sender reports to align its tracks before it starts without them. */
    public static final long DEFAULT_RTCP_WAIT_MS = 2_000;
    /** How often deadlines are checked; they are enforced within this much of their value. */
    static final long CHECK_PERIOD_MS = 1_000;

    /**
     * How the server is set up; the handlers and the port pool are shared by every instance and are thread-safe.
     *
     * @param udpPorts      where UDP transports take their server ports from (publishers get a pair per track)
     * @param authorisation whose passwords an {@code Authorization} header proves, and which refusals are
     *                      answered with a Digest and Basic challenge
     * @param limit         the connections the listener holds at most, over all its instances
     */
    public record Settings(String host, int port, RtspPublishHandler publishHandler, RtspPlayHandler playHandler,
                           NodeCounters counters, int writeQueueBytes, int socketSendBufferBytes,
                           long sessionTimeoutMs, long rtcpWaitMs, UdpPortPool udpPorts, Authorisation authorisation,
                           ConnectionLimit limit) {
    }

    /** The publish handler of a node that does not ingest. */
    public static final RtspPublishHandler NO_PUBLISHING = (name, credentials, peer) ->
            Future.failedFuture(new RtspRefusal(405, "This node does not accept publishers."));
    /** The play handler of a node that serves no viewers. */
    public static final RtspPlayHandler NO_PLAYBACK = new RtspPlayHandler() {
        @Override
        public Future<java.util.List<io.cascade.media.MediaFrame>> describe(String name, Credentials credentials,
                                                                            String peer,
                                                                            io.vertx.core.Context context) {
            return Future.failedFuture(new RtspRefusal(404, "This node serves no players."));
        }

        @Override
        public AutoCloseable play(RtspConnection connection, RtspPlayRequest request) {
            return () -> { };
        }
    };

    private final Settings settings;
    private final NodeCounters.ProtocolCounters counters;
    private final Set<RtspConnection> connections = new HashSet<>();
    private NetServer server;
    private UdpPortPool.Pair playPair;
    private long timer;

    public RtspServer(Settings settings) {
        this.settings = settings;
        this.counters = settings.counters().protocol(PROTOCOL);
    }

    @Override
    public Future<?> start() {
        NetServerOptions options = new NetServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setTcpNoDelay(true);
        if (settings.socketSendBufferBytes() > 0) {
            options.setSendBufferSize(settings.socketSendBufferBytes());
        }
        server = vertx.createNetServer(options).connectHandler(this::accept);
        timer = vertx.setPeriodic(CHECK_PERIOD_MS, id -> checkTimeouts());
        // players' receiver reports arrive on this pair too: read and let go
        return settings.udpPorts().open(context).compose(pair -> {
            playPair = pair;
            return server.listen();
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        if (playPair != null) {
            playPair.close();
        }
        return server.close();
    }

    /** The port actually bound (differs from the setting when that was ephemeral). */
    public int actualPort() {
        return server.actualPort();
    }

    private void accept(NetSocket socket) {
        if (!settings.limit().tryOpen("rtsp " + settings.host() + ":" + server.actualPort(), socket.remoteAddress())) {
            socket.close();
            return;
        }
        connections.add(new RtspConnection(socket, Vertx.currentContext(), this));
    }

    private void checkTimeouts() {
        long now = System.nanoTime();
        for (RtspConnection c : Set.copyOf(connections)) {
            c.checkTimeouts(now);
        }
    }

    void forget(RtspConnection c) {
        if (connections.remove(c)) {
            settings.limit().closed();
        }
    }

    Settings settings() {
        return settings;
    }

    /** The pair UDP players of this instance are sent from. */
    UdpPortPool.Pair playPair() {
        return playPair;
    }

    void countIn(long bytes) {
        counters.bytesIn.add(bytes);
    }

    void countOut(long bytes) {
        counters.bytesOut.add(bytes);
    }

    void countViolation() {
        counters.violations.increment();
    }

    void countInputErrors(long n) {
        counters.inputErrors.add(n);
    }
}
