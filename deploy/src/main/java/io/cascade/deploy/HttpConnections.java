package io.cascade.deploy;

import io.cascade.metrics.ConnectionLimit;
import io.cascade.metrics.NodeCounters;
import io.cascade.settings.Setting;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bounds of one HTTP listener's connections: at most {@code http.max.connections} open (the next is closed at
 * once, counted and logged); a whole request head due within {@code http.request.deadline.ms} of the connection
 * opening (a client that sends half a request is closed and counted); and the next request of a keep-alive connection
 * due within {@code http.keepalive.timeout.ms} of a response's end. Long responses (HTTP-FLV) and WebSocket upgrades
 * are not cut: their request came.
 */
final class HttpConnections {
    private static final Logger log = LoggerFactory.getLogger(HttpConnections.class);
    static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("http.max.connections", 10_000, 1, 1_000_000,
            "connections one HTTP (or HTTPS) listener holds at most; the next is closed at once and counted");
    static final Setting<Long> REQUEST_DEADLINE_MS = Setting.longInteger("http.request.deadline.ms", 10_000, 100,
            600_000, "how long a new HTTP connection may take to send a whole request head; past it the connection is"
                    + " closed and counted");
    static final Setting<Long> KEEPALIVE_TIMEOUT_MS = Setting.longInteger("http.keepalive.timeout.ms", 60_000, 100,
            3_600_000, "how long a keep-alive HTTP connection may wait for its next request after a response; past it"
                    + " the connection is closed and counted");

    private final Vertx vertx;
    private final ConnectionLimit limit;
    private final long deadlineMs;
    private final long keepAliveMs;
    private final NodeCounters.ProtocolCounters counters;
    private final String listener;
    /** The deadline timer of each open connection waiting for a request head. */
    private final Map<HttpConnection, Long> waiting = new ConcurrentHashMap<>();

    HttpConnections(Vertx vertx, NodeConfig config, NodeCounters.ProtocolCounters counters, String listener) {
        this.vertx = vertx;
        this.limit = new ConnectionLimit(MAX_CONNECTIONS.key(), config.value(MAX_CONNECTIONS), counters);
        this.deadlineMs = config.value(REQUEST_DEADLINE_MS);
        this.keepAliveMs = config.value(KEEPALIVE_TIMEOUT_MS);
        this.counters = counters;
        this.listener = listener;
    }

    /** For the server's connection handler: admits the connection or closes it. */
    void opened(HttpConnection connection) {
        if (!limit.tryOpen(listener, connection.remoteAddress())) {
            connection.close();
            return;
        }
        connection.closeHandler(v -> {
            limit.closed();
            Long timer = waiting.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
        });
        awaitRequest(connection, deadlineMs);
    }

    /** Wraps the server's request handler: a request head came, so the deadline is off until its response ends. */
    Handler<HttpServerRequest> requests(Handler<HttpServerRequest> handler) {
        return req -> {
            HttpConnection connection = req.connection();
            Long timer = waiting.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                req.response().endHandler(v -> awaitRequest(connection, keepAliveMs)); // keep-alive: the next one
            }
            handler.handle(req);
        };
    }

    private void awaitRequest(HttpConnection connection, long ms) {
        long timer = vertx.setTimer(ms, id -> {
            if (waiting.remove(connection, id)) {
                counters.connectionsTimedOut.increment();
                log.debug("{}: {} sent no request in {} ms, closed", listener, connection.remoteAddress(), ms);
                connection.close();
            }
        });
        Long previous = waiting.put(connection, timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }
}
