package io.cascade.edge.fanout;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Where a new viewer should go instead of this node, when not here: how a draining node sends viewers to the other
 * edges, and how a node over its share of the cluster's viewers sends new ones to a less-loaded edge. The HTTP routes
 * and RTSP answer such a viewer with a redirect to the same path and query there (segments are the same on every
 * edge, so a player can move between them).
 */
@FunctionalInterface
public interface Relocation {
    /** Every viewer stays. */
    Relocation STAY = (stream, protocol, first) -> Future.succeededFuture(null);
    /**
     * The query parameter a balancing redirect adds: the node it sends the viewer to serves it without balancing it
     * again (its view of the cluster's load may differ from the sender's by a report).
     */
    String PLACED = "cascade_placed";

    /**
     * The base URL ({@code scheme://host:port}, the scheme the protocol's clients use) of the node a viewer of
     * {@code stream} over {@code protocol} (a name its listener gives the load balancer) should use instead of this
     * one; null: this one.
     *
     * @param first whether this is the viewer's first request (a multivariant playlist, an MPD, an FLV or WebSocket
     *              request, a DESCRIBE): only then may a node that is not draining move it, for balance
     */
    Future<String> target(String stream, String protocol, boolean first);

    /**
     * Answers {@code req} with a redirect when its viewer belongs elsewhere, else runs {@code here}; on the request's
     * context either way. A request a balancing redirect sent here ({@link #PLACED}) is moved only by a drain.
     */
    default void redirectOr(HttpServerRequest req, String stream, String protocol, boolean first, Runnable here) {
        boolean placed = req.getParam(PLACED) != null;
        target(stream, protocol, first && !placed).onComplete(t -> {
            HttpServerResponse resp = req.response();
            if (t.failed() || t.result() == null) {
                here.run();
            } else if (!resp.closed()) {
                req.resume(); // a WebSocket upgrade waits paused
                String uri = placed || !first ? req.uri()
                        : req.uri() + (req.uri().contains("?") ? "&" : "?") + PLACED + "=1";
                resp.setStatusCode(302).putHeader("Location", t.result() + uri).putHeader("Cache-Control", "no-store")
                        .end();
            }
        });
    }
}
