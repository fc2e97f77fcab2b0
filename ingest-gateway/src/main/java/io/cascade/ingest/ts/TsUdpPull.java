package io.cascade.ingest.ts;

import io.cascade.ingest.Admission;
import io.cascade.metrics.NodeCounters;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * A {@code dmpegtsudp://} pull: this node listens on a UDP port (or joins a multicast group) and publishes what
 * arrives under the relay's local name as a UDP TS listener does ({@link UdpTsInput}: the same demuxer, limits,
 * counters and idle end), admitted as relays are ({@link Admission#admitRelay}: set up through the API, so no
 * publisher token or ingest point is asked). A source cannot be called, so there is nothing to reconnect: the socket
 * stays bound, the publish ends after {@code ts.idle.ms} of silence and starts again with the next datagram. Only a
 * socket that cannot be bound (the port taken, no such interface) is tried again, with the relay's backoff. Without
 * keepAlive the pull stops at its first end. Runs on one event loop.
 */
public final class TsUdpPull implements Relay {
    private static final Logger log = LoggerFactory.getLogger(TsUdpPull.class);

    private final Vertx vertx;
    private final Context context;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final long idleMillis;
    private final RelayConfig config;
    private final TsPullUri uri;
    private final RelayStatus status;
    private UdpTsInput input;
    private long checkTimer = -1;
    private long retryTimer = -1;
    private boolean stopped;
    /** A refused source is asked about again every 2 s: the same refusal is logged once. */
    private String lastLogged = "";

    /** @throws IllegalArgumentException when the relay's URI is no usable dmpegtsudp:// URI */
    public TsUdpPull(Vertx vertx, Admission admission, NodeCounters counters, long idleMillis, RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.admission = admission;
        this.counters = counters.protocol(TsServer.PROTOCOL);
        this.status = new RelayStatus(counters.relayAttempts);
        this.idleMillis = idleMillis;
        this.config = config;
        this.uri = TsPullUri.parse(config.uri());
        if (uri.transport() != TsPullUri.Transport.UDP) {
            throw new IllegalArgumentException("not a " + TsPullUri.UDP_SCHEME + ":// URI");
        }
    }

    public TsUdpPull start() {
        context.runOnContext(v -> listen());
        return this;
    }

    private void listen() {
        if (stopped) {
            return;
        }
        status.connecting();
        try {
            input = UdpTsInput.open(uri.listener(config.localStreamName()), config.localStreamName(),
                    "pull " + config.id() + " on " + uri.describe(), admission, counters, context,
                    TsConnection.Admit.RELAY, new Events());
        } catch (IOException | RuntimeException e) {
            ended("cannot listen on " + uri.describe() + ": " + e.getMessage());
            return;
        }
        log.info("pull {}: listening on {} for {}", config.id(), uri.describe(), config.localStreamName());
        checkTimer = vertx.setPeriodic(TsServer.CHECK_PERIOD_MS, id -> {
            if (input != null && input.endIfSilent(System.currentTimeMillis(), idleMillis)) {
                ended("nothing received for over " + idleMillis + " ms");
            }
        });
    }

    /**
     * The publish ended or was refused, or the socket could not be bound: without keepAlive the pull stops; with it, a
     * bound socket waits for the source's next datagram and an unbound one is tried again after the backoff.
     */
    private void ended(String reason) {
        long wait = status.ended(reason);
        if (!config.keepAlive()) {
            log.info("pull {} ({} on {}) ended: {}", config.id(), config.localStreamName(), uri.describe(), reason);
            close();
            return;
        }
        if (input != null) {
            if (!reason.equals(lastLogged)) {
                log.info("pull {} ({} on {}): {}; waiting for the source", config.id(), config.localStreamName(),
                        uri.describe(), reason);
            }
            lastLogged = reason;
            return;
        }
        log.info("pull {} ({} on {}): {}; attempt {} in {} ms", config.id(), config.localStreamName(), uri.describe(),
                reason, status.attempts() + 1, wait);
        retryTimer = vertx.setTimer(wait, id -> {
            retryTimer = -1;
            listen();
        });
    }

    private void close() {
        stopped = true;
        vertx.cancelTimer(retryTimer);
        vertx.cancelTimer(checkTimer);
        if (input != null) {
            input.close();
            input = null;
        }
        status.stopped();
    }

    @Override
    public void stop() {
        context.runOnContext(v -> close());
    }

    @Override
    public JsonObject status() {
        return status.toJson();
    }

    /** Admission's answers, as the relay's state. */
    private final class Events implements TsConnection.Events {
        @Override
        public void published() {
            if (status.state() == RelayStatus.State.WAITING) {
                status.connecting(); // the source came back: one more attempt that got through
            }
            status.running();
            lastLogged = "";
        }

        @Override
        public void refused(String reason) {
            ended("refused here: " + reason);
        }
    }
}
