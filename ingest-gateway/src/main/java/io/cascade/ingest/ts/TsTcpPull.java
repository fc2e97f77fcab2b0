package io.cascade.ingest.ts;

import io.cascade.ingest.Admission;
import io.cascade.metrics.NodeCounters;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayAttempts;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * A {@code dmpegtstcp://} pull: this node connects to a server that sends a transport stream and publishes it under
 * the relay's local name, as a TCP TS listener publishes what a connection sends ({@link TsConnection#overTcp}: the
 * same demuxer, limits and counters), admitted as relays are ({@link Admission#admitRelay}). A connection silent
 * for {@code ts.idle.ms} is closed; with keepAlive the pull connects again after every end, waiting longer each time
 * ({@link RelayAttempts}). Runs on one event loop.
 */
public final class TsTcpPull implements Relay {
    private final Vertx vertx;
    private final NetClient client;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final long idleMillis;
    private final RelayConfig config;
    private final TsPullUri uri;
    private final RelayAttempts attempts;
    private NetSocket socket;
    private TsConnection connection;
    /** Why the connection ends, said before it is closed here; a close by the source keeps the default. */
    private String endReason;
    private long checkTimer = -1;
    private boolean connecting;

    /** @throws IllegalArgumentException when the relay's URI is no usable dmpegtstcp:// URI */
    public TsTcpPull(Vertx vertx, NetClient client, Admission admission, NodeCounters counters, long idleMillis,
                     RelayConfig config) {
        this.vertx = vertx;
        this.client = client;
        this.admission = admission;
        this.counters = counters.protocol(TsServer.PROTOCOL);
        this.idleMillis = idleMillis;
        this.config = config;
        this.uri = TsPullUri.parse(config.uri());
        if (uri.transport() != TsPullUri.Transport.TCP) {
            throw new IllegalArgumentException("not a " + TsPullUri.TCP_SCHEME + ":// URI");
        }
        this.attempts = new RelayAttempts(vertx, config, "pull " + config.id() + " (" + config.localStreamName()
                + " from " + uri.describe() + ")", counters.relayAttempts, this::connect);
    }

    public TsTcpPull start() {
        attempts.start();
        return this;
    }

    private void connect() {
        connecting = true;
        client.connect(uri.port(), uri.host()).onComplete(connected -> {
            connecting = false;
            if (connected.failed()) {
                attempts.ended("cannot connect to " + uri.describe() + ": " + connected.cause().getMessage());
                return;
            }
            NetSocket s = connected.result();
            if (attempts.stopped()) {
                s.close();
                attempts.ended("stopped");
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

    /** The connection closed (its publication ended with it): the next attempt follows with keepAlive. */
    private void ended(String reason) {
        vertx.cancelTimer(checkTimer);
        socket = null;
        connection = null;
        attempts.ended(reason);
    }

    @Override
    public void stop() {
        attempts.stop(() -> {
            if (socket != null) {
                socket.close(); // its close ends the publication, then the attempt
                return true;
            }
            return connecting; // a connection on its way: its answer ends the attempt
        });
    }

    @Override
    public JsonObject status() {
        return attempts.status();
    }

    /** Admission's answers, as the relay's state and the reason the connection ends. */
    private final class Events implements TsConnection.Events {
        @Override
        public void published() {
            attempts.running();
        }

        @Override
        public void refused(String reason) {
            endReason = "refused here: " + reason;
        }
    }
}
