package io.cascade.origin;

import io.cascade.auth.Action;
import io.cascade.auth.UrlTokens;
import io.cascade.cluster.IngestPoint;
import io.cascade.cluster.IngestPointStore;
import io.cascade.cluster.IngestPointStore.CreateResult;
import io.cascade.media.StreamNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.security.MessageDigest;

/**
 * The runtime management API: JSON over HTTP, EMS verb names as paths ({@code /api/listStreams}). Binds to
 * loopback unless configured otherwise; when a token is set every call must carry it as
 * {@code Authorization: Bearer <token>}.
 *
 * <p>Parameters come as in EMS: in the query ({@code /api/createIngestPoint?privateStreamName=a&publicStreamName=b},
 * GET or POST), or as a JSON object in a POST body. Answers are {@code {"status":"SUCCESS"|"FAIL",
 * "description":..,"data":..}}; a FAIL comes with 400 (bad parameters), 401 (no token), 404 (nothing to remove),
 * 409 (a name is taken) or 503 (the cluster did not answer).
 *
 * <p>{@code signUrl stream=<name> action=publish|play ttl=<seconds>} mints a token with the node's {@code auth.secret}
 * ({@link UrlTokens}): {@code data.query} is the {@code expires=..&sig=..} to put after the stream name in a publish or
 * play URL. The token itself is never logged.
 */
public final class ApiServer {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    /** Largest request body: parameters are two names, so 64 KiB leaves room and bounds what a caller can send. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Longest request line: the longest verb with two 128-character names fits many times over. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;

    private final Vertx vertx;
    private final IngestPointStore ingestPoints;
    private final byte[] token;
    private final FileOutputControl files;
    private final UrlTokens urlTokens;
    /** Verb groups kept apart (load balancing, relays, streams and connections). */
    private final ApiRoutes[] more;
    /** Every verb's path by its lower-case form: EMS users and its CLI type verbs in any case. */
    private final Map<String, String> verbs = new java.util.HashMap<>();
    private static final String PARSED_BODY = "cascade.api.body";
    /** signUrl's ttl when none is given: an hour. */
    static final long DEFAULT_TTL_SECONDS = 3_600;
    /** Longest ttl signUrl mints: a year; a longer-lived token is a password, better given out some other way. */
    static final long MAX_TTL_SECONDS = 366L * 24 * 3_600;

    public ApiServer(Vertx vertx, IngestPointStore ingestPoints, String token,
                     FileOutputControl files) {
        this(vertx, ingestPoints, token, files, null);
    }

    /**
     * @param urlTokens what signUrl signs with; null when the node has no {@code auth.secret}
     * @param more verb groups kept apart: load balancing (pickEdge, drainNode, ...), relays (pullStream, ...), streams
     *             and connections (getStreamInfo, listConnections, ...)
     */
    public ApiServer(Vertx vertx, IngestPointStore ingestPoints, String token,
                     FileOutputControl files, UrlTokens urlTokens, ApiRoutes... more) {
        this.more = more;
        this.urlTokens = urlTokens;
        this.files = files;
        this.vertx = vertx;
        this.ingestPoints = ingestPoints;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Starts listening over plain HTTP; completes with the bound port. */
    public Future<Integer> listen(String host, int port) {
        return listen(host, port, null).map(HttpServer::actualPort);
    }

    /**
     * Starts listening, over TLS with this certificate and key unless {@code tls} is null; completes with the
     * server, whose certificate can be replaced while it runs.
     */
    public Future<HttpServer> listen(String host, int port, ServerSSLOptions tls) {
        Router router = Router.router(vertx);
        router.route("/api/*").handler(this::matchVerbCase);
        router.route("/api/*").handler(this::authorize);
        router.post("/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        for (ApiRoutes group : more) {
            group.routes(router);
        }
        router.route("/api/createIngestPoint").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(this::createIngestPoint);
        router.route("/api/removeIngestPoint").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(this::removeIngestPoint);
        router.route("/api/listIngestPoints").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(this::listIngestPoints);
        router.route("/api/createHLSStream").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> createFileOutput(ctx, false));
        router.route("/api/createDASHStream").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> createFileOutput(ctx, true));
        router.route("/api/listConfig").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::listConfig);
        router.route("/api/removeConfig").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::removeConfig);
        router.route("/api/signUrl").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::signUrl);
        for (io.vertx.ext.web.Route route : router.getRoutes()) {
            String path = route.getPath();
            if (path != null && path.startsWith("/api/") && !path.endsWith("*")) {
                verbs.put(path.toLowerCase(java.util.Locale.ROOT), path);
            }
        }
        HttpServerOptions options = new HttpServerOptions().setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(tls.getKeyCertOptions());
        }
        return vertx.createHttpServer(options).requestHandler(router).listen(port, host);
    }

    /** {@code /api/pullstream} is {@code /api/pullStream}: the request goes on under the verb's own spelling. */
    private void matchVerbCase(RoutingContext ctx) {
        String path = ctx.request().path();
        String canonical = verbs.get(path.toLowerCase(java.util.Locale.ROOT));
        if (canonical == null || canonical.equals(path)) {
            ctx.next();
            return;
        }
        String query = ctx.request().query();
        ctx.reroute(ctx.request().method(), query == null ? canonical : canonical + "?" + query);
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

    private void createIngestPoint(RoutingContext ctx) {
        String priv = param(ctx, "privateStreamName");
        String pub = param(ctx, "publicStreamName");
        if (priv == null || pub == null) {
            fail(ctx, 400, "privateStreamName and publicStreamName are required");
            return;
        }
        ingestPoints.create(new IngestPoint(priv, pub)).onComplete(ar -> {
            if (ar.failed()) {
                fail(ctx, 503, "ingest points unavailable: " + ar.cause().getMessage());
            } else if (ar.result() == CreateResult.CREATED) {
                log.info("ingest point created for public name {}", pub);
                ctx.json(new JsonObject().put("status", "SUCCESS").put("description", ar.result().description())
                        .put("data", point(new IngestPoint(priv, pub))));
            } else {
                fail(ctx, ar.result().isConflict() ? 409 : 400, ar.result().description());
            }
        });
    }

    private void removeIngestPoint(RoutingContext ctx) {
        String priv = param(ctx, "privateStreamName");
        if (priv == null) {
            fail(ctx, 400, "privateStreamName is required");
            return;
        }
        ingestPoints.remove(priv).onComplete(ar -> {
            if (ar.failed()) {
                fail(ctx, 503, "ingest points unavailable: " + ar.cause().getMessage());
            } else if (ar.result()) {
                log.info("ingest point removed");
                ctx.json(new JsonObject().put("status", "SUCCESS").put("description", "ingest point removed")
                        .put("data", new JsonObject().put("privateStreamName", priv)));
            } else {
                fail(ctx, 404, "no ingest point has this private name");
            }
        });
    }

    /** Both names: this is the operator's API, on loopback or behind the token, never shown to viewers. */
    private void listIngestPoints(RoutingContext ctx) {
        ingestPoints.list().onComplete(ar -> {
            if (ar.failed()) {
                fail(ctx, 503, "ingest points unavailable: " + ar.cause().getMessage());
                return;
            }
            JsonArray points = new JsonArray();
            ar.result().forEach(p -> points.add(point(p)));
            ctx.json(new JsonObject().put("status", "SUCCESS").put("description", ar.result().size() + " ingest points")
                    .put("data", points));
        });
    }

    /** The parameters this API knows for file outputs, as EMS names them. */
    private static final List<String> FILE_OUTPUT_PARAMETERS = List.of("localStreamNames", "targetFolder", "groupName",
            "playlistType", "playlistLength", "chunkLength", "audioOnly", "hlsResume", "cleanupDestination", "drmType",
            "aesKeyCount");

    private void createFileOutput(RoutingContext ctx, boolean dash) {
        Map<String, String> params = new HashMap<>();
        for (String name : FILE_OUTPUT_PARAMETERS) {
            String v = param(ctx, name);
            if (v != null) {
                params.put(name, v);
            }
        }
        files.create(dash, params).onComplete(ar -> {
            if (ar.succeeded()) {
                JsonObject answer = new JsonObject().put("status", "SUCCESS").put("data", ar.result());
                answer.put("description", params.containsKey("chunkLength")
                        ? "chunkLength ignored: segment length is set cluster-wide (segment.target.ms)"
                        : (dash ? "DASH" : "HLS") + " output started");
                ctx.json(answer);
            } else if (ar.cause() instanceof IllegalArgumentException) {
                fail(ctx, 400, ar.cause().getMessage());
            } else {
                fail(ctx, 503, "file output not started: " + ar.cause().getMessage());
            }
        });
    }

    private void listConfig(RoutingContext ctx) {
        JsonArray outputs = files.list();
        ctx.json(new JsonObject().put("status", "SUCCESS").put("description", outputs.size() + " file outputs")
                .put("data", new JsonObject().put("hls", filter(outputs, "hls")).put("dash", filter(outputs, "dash"))));
    }

    private static JsonArray filter(JsonArray outputs, String type) {
        JsonArray out = new JsonArray();
        outputs.stream().map(JsonObject.class::cast).filter(o -> type.equals(o.getString("type"))).forEach(out::add);
        return out;
    }

    private void removeConfig(RoutingContext ctx) {
        String id = param(ctx, "id");
        long number;
        try {
            number = Long.parseLong(id == null ? "" : id);
        } catch (NumberFormatException e) {
            fail(ctx, 400, "id must be the configId of a file output");
            return;
        }
        if (files.remove(number)) {
            ctx.json(new JsonObject().put("status", "SUCCESS").put("description", "file output " + number + " removed"));
        } else {
            fail(ctx, 404, "no file output has configId " + number);
        }
    }

    /** A token for one action on one stream, good for ttl seconds from now. */
    private void signUrl(RoutingContext ctx) {
        String stream = param(ctx, "stream");
        String actionWord = param(ctx, "action");
        String ttlText = param(ctx, "ttl");
        if (urlTokens == null) {
            fail(ctx, 409, "auth.secret is not set on this node: it has nothing to sign with");
            return;
        }
        if (stream == null || !StreamNames.isValid(stream)) {
            fail(ctx, 400, "stream must be a stream name ([A-Za-z0-9._-], at most " + StreamNames.MAX_LENGTH + ")");
            return;
        }
        Action action = actionWord == null ? null : Action.of(actionWord);
        if (action == null) {
            fail(ctx, 400, "action must be publish or play");
            return;
        }
        long ttl;
        try {
            ttl = ttlText == null ? DEFAULT_TTL_SECONDS : Long.parseLong(ttlText);
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (ttl < 1 || ttl > MAX_TTL_SECONDS) {
            fail(ctx, 400, "ttl must be a whole number of seconds 1.." + MAX_TTL_SECONDS);
            return;
        }
        long expires = System.currentTimeMillis() / 1000 + ttl;
        log.info("signUrl: a {} token good for {} s", action.word(), ttl); // the name may be a private one
        ctx.json(new JsonObject().put("status", "SUCCESS").put("description", action.word() + " token for " + stream)
                .put("data", new JsonObject().put("stream", stream).put("action", action.word())
                        .put("expires", expires).put("query", urlTokens.mint(action, stream, expires))));
    }

    private static JsonObject point(IngestPoint p) {
        return new JsonObject().put("privateStreamName", p.privateName()).put("publicStreamName", p.publicName());
    }

    /** A parameter from the query, else from a JSON object body; null when absent. */
    static String param(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v != null) {
            return v;
        }
        Object value = body(ctx).getValue(name);
        if (value instanceof JsonArray list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return value instanceof String || value instanceof Number || value instanceof Boolean
                ? String.valueOf(value) : null;
    }

    /** The request's JSON object body, parsed once per request; empty when there is none or it is no object. */
    private static JsonObject body(RoutingContext ctx) {
        JsonObject parsed = ctx.get(PARSED_BODY);
        if (parsed == null) {
            parsed = new JsonObject();
            if (ctx.body() != null && ctx.body().length() > 0) {
                try {
                    parsed = ctx.body().asJsonObject();
                } catch (RuntimeException e) {
                    // not a JSON object: as if no parameter were in the body
                }
            }
            ctx.put(PARSED_BODY, parsed == null ? new JsonObject() : parsed);
        }
        return ctx.get(PARSED_BODY);
    }

    static void fail(RoutingContext ctx, int status, String description) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "FAIL").put("description", description).encode());
    }
}
