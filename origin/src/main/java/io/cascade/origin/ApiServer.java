package io.cascade.origin;

import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The runtime management API: JSON over HTTP, EMS verb names as paths ({@code /api/listStreams}). Binds to
 * loopback unless configured otherwise; when a token is set every call must carry it as
 * {@code Authorization: Bearer <token>}.
 */
public final class ApiServer {
    private final Vertx vertx;
    private final StreamRegistry registry;
    private final byte[] token;

    public ApiServer(Vertx vertx, StreamRegistry registry, String token) {
        this.vertx = vertx;
        this.registry = registry;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Starts listening; completes with the bound port. */
    public Future<Integer> listen(String host, int port) {
        Router router = Router.router(vertx);
        router.route("/api/*").handler(this::authorize);
        router.get("/api/listStreams").handler(this::listStreams);
        return vertx.createHttpServer().requestHandler(router).listen(port, host).map(s -> s.actualPort());
    }

    private void authorize(RoutingContext ctx) {
        if (token.length == 0) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (MessageDigest.isEqual(token, given)) {
            ctx.next();
        } else {
            ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
                    .end(new JsonObject().put("status", "FAIL").put("description", "token required").encode());
        }
    }

    private void listStreams(RoutingContext ctx) {
        registry.list().onComplete(ar -> {
            if (ar.failed()) {
                ctx.response().setStatusCode(503).end(new JsonObject().put("status", "FAIL")
                        .put("description", ar.cause().getMessage()).encode());
                return;
            }
            JsonArray streams = new JsonArray();
            for (StreamRecord r : ar.result()) {
                streams.add(new JsonObject().put("name", r.name()).put("ownerNode", r.ownerNode())
                        .put("ingestProtocol", r.ingestProtocol()).put("startedAt", r.startedAtMillis()));
            }
            ctx.json(new JsonObject().put("status", "SUCCESS").put("data", streams));
        });
    }
}
