package io.cascade.edge.http;

import io.cascade.auth.Queries;
import io.cascade.auth.Credentials;
import io.vertx.core.http.HttpHeaders;
import io.cascade.cluster.StreamRegistry;
import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.edge.fanout.Playback;
import io.cascade.packaging.ListedSegment;
import io.cascade.packaging.PackageSettings;
import io.cascade.packaging.SegmentWindow;
import io.cascade.packaging.StreamPackage;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.settings.Setting;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * HLS and DASH on the node's HTTP port: {@code /<stream>/index.m3u8} (CMAF), {@code /<stream>/ts/index.m3u8}
 * (MPEG-TS), {@code /<stream>/aes/index.m3u8} (MPEG-TS, AES-128) and {@code /<stream>/index.mpd}, with the segments
 * and keys they list (see {@link SegmentWindow} for the layout).
 *
 * <p>A stream is packaged on this node from the first request for it (its {@link StreamPackage} joins the stream's
 * hub, which brings the ingest node's recent segments) and for as long as requests keep coming; {@code lingerMs}
 * after the last one it is let go. A request for a stream that is not live anywhere is answered 404 from the stream
 * registry without creating anything.
 *
 * <p>When plays are authorised ({@code auth.play}) every request is, playlists, segments and keys alike, before
 * anything else happens (401 or 403). A player is given the token once, in the query of the first playlist or MPD it
 * asks for: that query is carried to every URI of the answers ({@link CarriedQuery}), so the segments and keys it then
 * asks for carry it too. A token must therefore stay good for as long as the viewer watches.
 */
public final class HttpDelivery implements Handler<RoutingContext> {
    /** The protocol's name in metrics: HLS and DASH playlists, segments and keys. */
    public static final String PROTOCOL = "http";
    /** HLS and DASH, as the load balancer names them: what a viewer plays (both counted under {@link #PROTOCOL}). */
    public static final String HLS = "hls";
    public static final String DASH = "dash";
    private static final Logger log = LoggerFactory.getLogger(HttpDelivery.class);

    /** Players poll a live playlist every target duration; a stream nobody asked about for this long is let go. */
    public static final long DEFAULT_LINGER_MS = 30_000;
    /** Shorter, and a stream could be let go between two playlist requests of a player that is watching it. */
    public static final long MIN_LINGER_MS = 1_000;
    /** Packaged segments stay in memory while a stream lingers: past an hour nobody is coming back for them. */
    public static final long MAX_LINGER_MS = 3_600_000;
    public static final Setting<Long> LINGER_MS = Setting.longInteger("http.linger.ms", DEFAULT_LINGER_MS,
            MIN_LINGER_MS, MAX_LINGER_MS,
            "a stream nobody asked for over HTTP for this long is no longer packaged on that edge");
    /** A playlist request for a stream that has no complete segment yet waits at most this long. */
    public static final long FIRST_SEGMENT_WAIT_MS = 10_000;
    /** Playlists change every segment: caches and players must ask again soon. */
    static final String PLAYLIST_CACHE = "max-age=1";
    /** A segment's name never means other bytes while the stream's numbering lives (a day without publishing). */
    static final String SEGMENT_CACHE = "public, max-age=3600";
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}](:[0-9]{1,5})?");

    private final Vertx vertx;
    private final StreamHubs hubs;
    private final StreamRegistry registry;
    private final PackageSettings settings;
    private final long lingerMs;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters http;
    private final Playback playback;
    private final Map<String, Packaged> packaged = new ConcurrentHashMap<>();
    /** HLS viewers: counted in the protocol's viewers as they come and as the sweep finds them gone. */
    private final HlsSessions sessions = new HlsSessions();
    private final long sweeper;

    /** @param playback where requests are authorised as plays ({@link Playback#authorise}) */
    public HttpDelivery(Vertx vertx, StreamHubs hubs, StreamRegistry registry, PackageSettings settings, long lingerMs,
                        NodeCounters counters, Playback playback) {
        this.playback = playback;
        this.vertx = vertx;
        this.hubs = hubs;
        this.registry = registry;
        this.settings = settings;
        this.lingerMs = lingerMs;
        this.counters = counters;
        this.http = counters.protocol(PROTOCOL);
        this.sweeper = vertx.setPeriodic(Math.max(100, Math.min(1_000, lingerMs / 2)), id -> letGoOfIdleStreams());
    }

    /** A stream this node packages, and when it was last asked for (written from every event loop). */
    private record Packaged(StreamHub hub, StreamPackage streamPackage, AtomicLong lastRequestNanos) {
    }


    /** {@code GET /time}: the clock DASH players synchronise with (the MPD's UTCTiming). */
    public void time(RoutingContext ctx) {
        cors(ctx.response()).putHeader("Cache-Control", "no-store").putHeader("Content-Type", "text/plain")
                .end(Instant.now().toString());
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = cors(ctx.response());
        if (answeredOtherMethod(req, resp)) {
            return;
        }
        SegmentRequest r = SegmentRequest.parse(req.path());
        if (r == null) {
            notFound(resp);
            return;
        }
        switch (r.kind()) {
            // a viewer moves at its next playlist; its segments are served wherever it asks for them
            case INDEX -> playback.relocation().redirectOr(req, r.stream(), HLS, true, () -> authorise(ctx, r));
            case MEDIA_PLAYLIST, TS_PLAYLIST, AES_PLAYLIST ->
                    playback.relocation().redirectOr(req, r.stream(), HLS, false, () -> authorise(ctx, r));
            case MPD -> playback.relocation().redirectOr(req, r.stream(), DASH, true, () -> authorise(ctx, r));
            default -> authorise(ctx, r);
        }
    }

    /** Answers a request that is not a GET or HEAD (a CORS preflight 204, others 405); true when it did. */
    static boolean answeredOtherMethod(HttpServerRequest req, HttpServerResponse resp) {
        if (req.method() == HttpMethod.OPTIONS) {
            resp.setStatusCode(204).putHeader("Access-Control-Max-Age", "86400").end();
            return true;
        }
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            resp.setStatusCode(405).putHeader("Allow", "GET, HEAD, OPTIONS").end();
            return true;
        }
        return false;
    }

    private void authorise(RoutingContext ctx, SegmentRequest r) {
        authorise(playback, ctx, r.stream(), () -> find(ctx, r));
    }

    /**
     * Runs {@code then} once the request may play {@code name} ({@code auth.play}; at once when plays are not
     * authorised); a refusal is answered here: 401 with the challenge, 403, or 503 when no answer came.
     */
    static void authorise(Playback playback, RoutingContext ctx, String name, Runnable then) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = ctx.response();
        if (!playback.authorises()) {
            then.run();
            return;
        }
        Credentials credentials = playback.credentials(req.query() == null ? "" : req.query(), req.method().name(),
                req.getHeader(HttpHeaders.AUTHORIZATION));
        playback.authorise(name, credentials, PROTOCOL, String.valueOf(req.remoteAddress()),
                        ctx.vertx().getOrCreateContext())
                .onComplete(granted -> {
                    if (granted.succeeded()) {
                        then.run();
                    } else if (!resp.closed()) {
                        int status = granted.cause() instanceof Playback.Refused refused ? refused.httpStatus() : 503;
                        if (status == 401) {
                            resp.putHeader("WWW-Authenticate",
                                    ((Playback.Refused) granted.cause()).httpChallenge());
                        }
                        resp.setStatusCode(status).putHeader("Cache-Control", "no-store").end();
                    }
                });
    }

    /** Serves an authorised request: from this node's package of the stream, or after the registry says it is live. */
    private void find(RoutingContext ctx, SegmentRequest r) {
        HttpServerResponse resp = ctx.response();
        Packaged p = packaged.get(r.stream());
        if (p != null) {
            serve(ctx, r, p);
            return;
        }
        // not packaged here (or let go meanwhile): only a live stream may create anything
        registry.find(r.stream()).onComplete(found -> {
            if (found.failed() || found.result() == null) {
                counters.playRefusedNotFound.increment();
                notFound(resp); // not live anywhere: nothing created for it
                return;
            }
            Packaged opened = open(r.stream());
            if (opened == null) {
                resp.setStatusCode(503).putHeader("Retry-After", "5").end();
            } else {
                serve(ctx, r, opened);
            }
        });
    }

    private synchronized Packaged open(String stream) {
        Packaged p = packaged.get(stream);
        if (p != null) {
            return p;
        }
        StreamHub hub = hubs.acquire(stream, vertx.getOrCreateContext());
        if (hub == null) {
            return null;
        }
        StreamPackage pkg = new StreamPackage(stream, settings);
        hub.context().runOnContext(v -> hub.sink(StreamPackage.class, () -> pkg));
        p = new Packaged(hub, pkg, new AtomicLong(System.nanoTime()));
        packaged.put(stream, p);
        counters.httpPackagedStreams.increment();
        log.info("{}: packaging for HTTP on this node (HLS, DASH)", stream);
        return p;
    }

    private synchronized void letGoOfIdleStreams() {
        long now = System.nanoTime();
        http.viewers.add(-sessions.sweep(now));
        packaged.values().removeIf(p -> {
            if (now - p.lastRequestNanos().get() < lingerMs * 1_000_000) {
                return false;
            }
            StreamHub hub = p.hub();
            counters.httpPackagedStreams.decrement();
            hub.context().runOnContext(v -> {
                hub.removeSink(StreamPackage.class);
                hubs.release(hub);
            });
            log.info("{}: no HTTP request for {} s, no longer packaged here", hub.name(), lingerMs / 1000);
            return true;
        });
    }

    public void close() {
        vertx.cancelTimer(sweeper);
    }

    private void serve(RoutingContext ctx, SegmentRequest r, Packaged p) {
        p.lastRequestNanos().set(System.nanoTime());
        SegmentWindow window = p.streamPackage().window();
        if (!window.segments().isEmpty() || r.kind() == SegmentRequest.Kind.AES_KEY) {
            respond(ctx, r, window);
            return;
        }
        // the stream has no complete segment here yet (just published, or this node just joined): wait for one,
        // then answer on the request's own event loop (packaging a segment must not stall the stream's hub)
        Context requestContext = vertx.getOrCreateContext();
        p.hub().context().runOnContext(v -> {
            Promise<SegmentWindow> listed = p.streamPackage().whenListed();
            if (listed == null) {
                ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end();
                return;
            }
            long timer = vertx.setTimer(FIRST_SEGMENT_WAIT_MS, id -> listed.tryFail("no segment yet"));
            listed.future().onComplete(done -> requestContext.runOnContext(w -> {
                vertx.cancelTimer(timer);
                if (ctx.response().ended() || ctx.response().closed()) {
                    return;
                }
                if (done.succeeded()) {
                    respond(ctx, r, done.result());
                } else {
                    ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end();
                }
            }));
        });
    }

    private void respond(RoutingContext ctx, SegmentRequest r, SegmentWindow w) {
        HttpServerResponse resp = ctx.response();
        // a token reaches the URIs a player asks for next (playlists are shared: a copy per request)
        String carried = playback.authorises() ? CarriedQuery.safe(ctx.request().query()) : "";
        if (r.kind() != SegmentRequest.Kind.INDEX && r.kind() != SegmentRequest.Kind.MPD) {
            if (sessions.seen(ctx.request().getParam(HlsSessions.PARAM), System.nanoTime())) {
                http.viewers.increment();
            }
        }
        switch (r.kind()) {
            // a multivariant playlist gives its player a session, carried in its media playlists' URIs (on to segments
            // only with a token); an audio-only stream's index is its media playlist: no session, nothing counted
            case INDEX -> {
                String index = w.index();
                playlist(ctx, index, index.contains("#EXT-X-STREAM-INF") ? withSession(carried) : carried);
            }
            case MEDIA_PLAYLIST -> {
                if (w.has(r.track())) {
                    playlist(ctx, w.media(r.track()), carried);
                } else {
                    notFound(resp);
                }
            }
            case TS_PLAYLIST -> playlist(ctx, w.ts(false), carried);
            case AES_PLAYLIST -> playlist(ctx, w.ts(true), carried);
            case MPD -> text(ctx, CarriedQuery.mpd(w.mpd(utcTiming(ctx.request())), carried), "application/dash+xml");
            case INIT -> bytes(ctx, w.init(r.track(), r.number()), r.track() == TrackType.VIDEO ? "video/mp4" : "audio/mp4",
                    SEGMENT_CACHE);
            case CMAF -> {
                ListedSegment s = w.find(r.number());
                bytes(ctx, s == null ? null : s.cmaf(r.track()), r.track() == TrackType.VIDEO ? "video/mp4" : "audio/mp4",
                        SEGMENT_CACHE);
            }
            case TS -> {
                ListedSegment s = w.find(r.number());
                bytes(ctx, s == null ? null : s.ts(), "video/mp2t", SEGMENT_CACHE);
            }
            case AES_SEGMENT -> {
                ListedSegment s = w.find(r.number());
                bytes(ctx, s == null ? null : s.encryptedTs(r.stream(), settings.keys()), "video/mp2t", SEGMENT_CACHE);
            }
            case AES_KEY -> bytes(ctx, r.number() < settings.keys().keyCount()
                    ? settings.keys().key(r.stream(), (int) r.number()) : null, "application/octet-stream",
                    "private, max-age=3600");
        }
    }

    /**
     * The MPD's clock source on this server, as the client addressed it (a load balancer's name included), over the
     * scheme it came by: an MPD served over HTTPS must not send the player to plain HTTP.
     */
    private static String utcTiming(HttpServerRequest req) {
        String host = req.getHeader("Host");
        return host != null && HOST.matcher(host).matches() ? (req.isSSL() ? "https://" : "http://") + host + "/time"
                : null;
    }

    /** {@code carried} with a new HLS session after it (any session the client sent replaced). */
    private static String withSession(String carried) {
        String rest = Queries.without(carried, HlsSessions.PARAM);
        return (rest.isEmpty() ? "" : rest + "&") + HlsSessions.PARAM + "=" + HlsSessions.newId();
    }

    private void playlist(RoutingContext ctx, String body, String carried) {
        text(ctx, CarriedQuery.m3u8(body, carried), "application/vnd.apple.mpegurl");
    }

    private void text(RoutingContext ctx, String body, String type) {
        bytes(ctx, body.getBytes(StandardCharsets.UTF_8), type, PLAYLIST_CACHE);
    }

    private void bytes(RoutingContext ctx, byte[] body, String type, String cache) {
        bytes(ctx, body, type, cache, http);
    }

    /** Writes a body, honouring HEAD and a single byte range (RFC 9110 14); counts what is sent in {@code http}. */
    static void bytes(RoutingContext ctx, byte[] body, String type, String cache,
                      NodeCounters.ProtocolCounters http) {
        HttpServerResponse resp = ctx.response();
        if (body == null) {
            notFound(resp);
            return;
        }
        resp.putHeader("Content-Type", type).putHeader("Cache-Control", cache).putHeader("Accept-Ranges", "bytes");
        int from = 0;
        int to = body.length - 1;
        String range = ctx.request().getHeader("Range");
        if (range != null) {
            long[] span = ByteRange.parse(range, body.length);
            if (span == null) {
                resp.setStatusCode(416).putHeader("Content-Range", "bytes */" + body.length).end();
                return;
            }
            if (span.length == 2) {
                from = (int) span[0];
                to = (int) span[1];
                resp.setStatusCode(206).putHeader("Content-Range", "bytes " + from + "-" + to + "/" + body.length);
            }
        }
        int length = to - from + 1;
        resp.putHeader("Content-Length", String.valueOf(length));
        if (ctx.request().method() == HttpMethod.HEAD) {
            resp.end();
            return;
        }
        http.bytesOut.add(length);
        // a view of the shared bytes: Buffer.buffer(byte[]) would copy the whole segment for every viewer
        resp.end(BufferInternal.buffer(Unpooled.wrappedBuffer(body, from, length)));
    }

    static void notFound(HttpServerResponse resp) {
        resp.setStatusCode(404).putHeader("Cache-Control", "max-age=1").end();
    }

    static HttpServerResponse cors(HttpServerResponse resp) {
        return resp.putHeader("Access-Control-Allow-Origin", "*")
                .putHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
                .putHeader("Access-Control-Allow-Headers", "Range")
                .putHeader("Access-Control-Expose-Headers", "Content-Length, Content-Range");
    }
}
