package io.cascade.edge.ws;

import io.cascade.auth.Credentials;
import io.cascade.cluster.StreamRegistry;
import io.cascade.edge.fanout.Playback;
import io.cascade.media.StreamNames;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WebSocket on the node's HTTP port: live fMP4 ({@code ws://host:port/<stream>/ws}, below) and the stream's JSON
 * data channel ({@code ws://host:port/<stream>/meta}, {@link MetaSocket}: every JSON message of the stream, onMetaData
 * converted, and clients' JSON messages put into the stream for every subscriber in the cluster).
 *
 * <p>fMP4: the viewer first gets a text message with the MIME type and codecs (for Media Source Extensions'
 * {@code addSourceBuffer}), then a binary message with the init segment, then a binary message per frame (a movie
 * fragment), starting at a keyframe of the GOP cache; a new text + init pair comes before the fragments whenever the
 * codec configuration changes (a republish with other settings). Before each keyframe's fragment comes a text message
 * {@code {"wallclock":<epoch ms>,"time":<seconds>}}: the wall clock at which the ingest got that frame, and its decode
 * time on the viewers' timeline (see {@link Fmp4Encoder}); a text message starting with '{' is such a clock, any other
 * a MIME type. Viewers go through the shared fan-out
 * ({@link Playback}), with {@link Fmp4Encoder} as the stream's one encoding.
 *
 * <p>On both paths the client is authorised first ({@code auth.play}, the token in the upgrade request's query; 401 or
 * 403 before the upgrade), then a name that is not live anywhere is answered 404 before the upgrade, from the stream
 * registry, creating nothing. fMP4 viewers have nothing to say on their socket: their messages are read and dropped, up to
 * {@link WsViewer#MAX_CLIENT_MESSAGES}, after which (or at the first message over {@link #MAX_MESSAGE_BYTES}) the
 * socket is closed. On both, a ping every {@link WsSocket#PING_INTERVAL_MS} finds half-open sockets: one that has not
 * answered any for {@link WsSocket#PONG_TIMEOUT_MS} is closed.
 */
public final class WsPlayback implements Handler<RoutingContext> {
    /** The protocol's name in metrics and logs. */
    public static final String PROTOCOL = "ws";
    /** The metadata subscribers' protocol name in metrics and logs. */
    public static final String META_PROTOCOL = "ws-meta";
    /** Largest message a viewer may send (the HTTP server's WebSocket frame and message limits are set to it). */
    public static final int MAX_MESSAGE_BYTES = 256 << 10;
    /** The routes it serves, for a router: {@code /<stream>/ws} and {@code /<stream>/meta}. */
    public static final String PATH_REGEX = "/[^/]{1," + StreamNames.MAX_LENGTH + "}/(?:ws|meta)";
    private static final Pattern PATH = Pattern.compile("/([^/]{1," + StreamNames.MAX_LENGTH + "})/(ws|meta)");
    /** Where nodes serve the browser player of this protocol. */
    public static final String PLAYER_SCRIPT_PATH = "/player/ws.js";
    private static final Logger log = LoggerFactory.getLogger(WsPlayback.class);
    private static final byte[] PLAYER_SCRIPT = loadPlayerScript();

    private final Vertx vertx;
    private final Playback playback;
    private final StreamRegistry registry;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters ws;
    private final NodeCounters.ProtocolCounters meta;
    private final int queueBytes;
    private final long pingIntervalMs;
    private final long pongTimeoutMs;

    /** @param queueBytes bytes queued for one viewer before it counts as behind ({@code viewer.queue.bytes}) */
    public WsPlayback(Vertx vertx, Playback playback, StreamRegistry registry, NodeCounters counters,
                      int queueBytes) {
        this(vertx, playback, registry, counters, queueBytes, WsSocket.PING_INTERVAL_MS, WsSocket.PONG_TIMEOUT_MS);
    }

    WsPlayback(Vertx vertx, Playback playback, StreamRegistry registry, NodeCounters counters, int queueBytes,
               long pingIntervalMs, long pongTimeoutMs) {
        this.pingIntervalMs = pingIntervalMs;
        this.pongTimeoutMs = pongTimeoutMs;
        this.vertx = vertx;
        this.playback = playback;
        this.registry = registry;
        this.counters = counters;
        this.ws = counters.protocol(PROTOCOL);
        this.meta = counters.protocol(META_PROTOCOL);
        this.queueBytes = queueBytes;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        Matcher m = PATH.matcher(req.path());
        if (!m.matches()) {
            ctx.next(); // not a path of this protocol
            return;
        }
        if (!StreamNames.isValid(m.group(1))) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        if (req.method() != HttpMethod.GET) {
            ctx.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET").end();
            return;
        }
        String upgrade = req.getHeader(HttpHeaders.UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            ctx.response().setStatusCode(426).putHeader(HttpHeaders.UPGRADE, "websocket").end();
            return;
        }
        String stream = m.group(1);
        boolean metadata = m.group(2).equals("meta");
        req.pause(); // the upgrade comes after relocation, authorisation and the lookup
        playback.relocation().redirectOr(req, stream, PROTOCOL, true, () -> authorise(ctx, stream, metadata));
    }

    private void authorise(RoutingContext ctx, String stream, boolean metadata) {
        HttpServerRequest req = ctx.request();
        Credentials credentials = playback.credentials(req.query() == null ? "" : req.query(), req.method().name(),
                req.getHeader(HttpHeaders.AUTHORIZATION));
        playback.authorise(stream, credentials, metadata ? META_PROTOCOL : PROTOCOL, String.valueOf(req.remoteAddress()),
                vertx.getOrCreateContext()).onComplete(granted -> {
            if (granted.failed()) {
                req.resume();
                refuse(ctx, granted.cause());
                return;
            }
            lookUpAndUpgrade(ctx, req, stream, metadata, granted.result());
        });
    }

    private void lookUpAndUpgrade(RoutingContext ctx, HttpServerRequest req, String stream, boolean metadata,
                                  Playback.Grant grant) {
        registry.find(stream).onComplete(found -> {
            if (found.failed() || found.result() == null) {
                counters.playRefusedNotFound.increment();
                // not live anywhere (or a private name): 404 before any upgrade, and nothing made for the name
                req.resume();
                ctx.response().setStatusCode(404).putHeader("Cache-Control", "max-age=1").end();
                return;
            }
            HttpConnection connection = req.connection();
            req.toWebSocket().onComplete(upgraded -> {
                if (upgraded.succeeded()) {
                    if (metadata) {
                        startMeta(upgraded.result(), connection, grant);
                    } else {
                        start(upgraded.result(), connection, grant);
                    }
                } else {
                    log.debug("{}: WebSocket upgrade failed: {}", req.remoteAddress(), upgraded.cause().getMessage());
                }
            });
        });
    }

    /** {@code GET /player/ws.js}: the browser player of this protocol (Media Source Extensions, no dependencies). */
    public void playerScript(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
                .putHeader("Cache-Control", "max-age=60").putHeader("Access-Control-Allow-Origin", "*")
                .end(Buffer.buffer(PLAYER_SCRIPT));
    }

    private static byte[] loadPlayerScript() {
        try (InputStream in = WsPlayback.class.getResourceAsStream("cascade-ws-player.js")) {
            if (in == null) {
                throw new IllegalStateException("cascade-ws-player.js missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start(ServerWebSocket socket, HttpConnection connection, Playback.Grant grant) {
        WsViewer viewer = new WsViewer(vertx, socket, connection, ws, queueBytes, pingIntervalMs, pongTimeoutMs);
        viewer.bind(playback.play(grant, PROTOCOL, Fmp4Encoder::new, viewer));
    }

    private void startMeta(ServerWebSocket socket, HttpConnection connection, Playback.Grant grant) {
        MetaSocket subscriber = new MetaSocket(vertx, socket, connection, counters, meta, queueBytes, pingIntervalMs,
                pongTimeoutMs);
        subscriber.bind(playback.play(grant, META_PROTOCOL, JsonMetaEncoder::new, subscriber));
    }

    /** Authorisation said no: 401 or 403 before any upgrade, and nothing made for the name. */
    private static void refuse(RoutingContext ctx, Throwable why) {
        if (ctx.response().closed()) {
            return;
        }
        if (why instanceof Playback.Refused refused) {
            ctx.response().setStatusCode(refused.httpStatus());
            if (refused.httpStatus() == 401) {
                ctx.response().putHeader("WWW-Authenticate", refused.httpChallenge());
            }
        } else {
            ctx.response().setStatusCode(503);
        }
        ctx.response().putHeader("Cache-Control", "no-store").end();
    }
}
