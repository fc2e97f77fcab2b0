package io.cascade.ingest.ts;

import io.cascade.ingest.Admission;
import io.cascade.metrics.NodeCounters;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code dmpegtstcp://} pull: this node connects to a server that sends a transport stream and publishes it under
 * the relay's local name, as a TCP TS listener publishes what a connection sends ({@link TsConnection#overTcp}: the
 * same demuxer, limits and counters), admitted as relays are ({@link Admission#admitRelay}). A connection silent
 * for {@code ts.idle.ms} is closed; with keepAlive the pull connects again after every end, waiting longer each time
 * ({@link io.cascade.relay.Backoff}). Runs on one event loop.
 */
public final class TsTcpPull implements Relay {
    private static final Logger log = LoggerFactory.getLogger(TsTcpPull.class);

    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final long idleMillis;
    private final RelayConfig config;
    private final TsPullUri uri;
    private final RelayStatus status;
    private NetSocket socket;
    private TsConnection connection;
    /** Why the connection ends, said before it is closed here; a close by the source keeps the default. */
    private String endReason;
    private long checkTimer = -1;
    private long retryTimer = -1;
    private boolean stopped;

    /** @throws IllegalArgumentException when the relay's URI is no usable dmpegtstcp:// URI */
    public TsTcpPull(Vertx vertx, NetClient client, Admission admission, NodeCounters counters, long idleMillis,
                     RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.admission = admission;
        this.counters = counters.protocol(TsServer.PROTOCOL);
        this.status = new RelayStatus(counters.relayAttempts);
        this.idleMillis = idleMillis;
        this.config = config;
        this.uri = TsPullUri.parse(config.uri());
        if (uri.transport() != TsPullUri.Transport.TCP) {
            throw new IllegalArgumentException("not a " + TsPullUri.TCP_SCHEME + ":// URI");
        }
    }

    public TsTcpPull start() {
        context.runOnContext(v -> connect());
        return this;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        status.connecting();
        client.connect(uri.port(), uri.host()).onComplete(connected -> {
            if (connected.failed()) {
                ended("cannot connect to " + uri.describe() + ": " + connected.cause().getMessage());
                return;
            }
            NetSocket s = connected.result();
            if (stopped) {
                s.close();
                status.stopped();
                return;
            }
            socket = s;
            endReason = "the source closed the connection";
            connection = TsConnection.overTcp(s, admission, counters, config.localStreamName(),
                    "pull " + config.id() + " from " + uri.describe(), TsConnection.Admit.RELAY, new Events(),
                    () -> ended(endReason));
            checkTimer = vertx.setPeriodic(TsServer.CHECK_PERIOD_MS, id -> {
                long silent = connection == null ? 0 : connection.silentFor(System.currentTimeMillis());
                if (silent > idleMillis) {
                    endReason = "nothing received for " + silent + " ms";
                    connection.hangUp();
                }
            });
        });
    }

    private void ended(String reason) {
        vertx.cancelTimer(checkTimer);
        socket = null;
        connection = null;
        if (stopped) {
            status.stopped();
            return;
        }
        long wait = status.ended(reason);
        if (!config.keepAlive()) {
            log.info("pull {} ({} from {}) ended: {}", config.id(), config.localStreamName(), uri.describe(), reason);
            status.stopped();
            return;
        }
        log.info("pull {} ({} from {}) ended: {}; attempt {} in {} ms", config.id(), config.localStreamName(),
                uri.describe(), reason, status.attempts() + 1, wait);
        retryTimer = vertx.setTimer(wait, id -> {
            retryTimer = -1;
            connect();
        });
    }

    @Override
    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            vertx.cancelTimer(retryTimer);
            if (socket != null) {
                socket.close(); // its close ends the publication, then the status
            } else {
                status.stopped();
            }
        });
    }

    @Override
    public JsonObject status() {
        return status.toJson();
    }

    /** Admission's answers, as the relay's state and the reason the connection ends. */
    private final class Events implements TsConnection.Events {
        @Override
        public void published() {
            status.running();
        }

        @Override
        public void refused(String reason) {
            endReason = "refused here: " + reason;
        }
    }
}
