package io.cascade.edge.http;

import io.cascade.edge.fanout.Playback;
import io.cascade.edge.vod.VodFile;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.vod.VodLibrary;
import io.cascade.media.MediaFileException;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.packaging.Packaging;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Set;

/**
 * HLS and DASH of media files on demand: {@code /<app>/<path>/index.m3u8}, {@code .../index.mpd},
 * {@code .../ts/index.m3u8} and the segments they list, in the layout a live stream has ({@link VodFile}), where
 * {@code <app>} is a VOD application ({@code vod} for {@code vod.folder}, and each of {@code vod.folders}).
 *
 * <p>Live stream names have no '/', and VOD applications are named in the settings, so a path is taken here only
 * when its first segment is a VOD application and the rest is a file's path followed by one of those names; a name
 * that is no file there goes on to the live routes (which answer 404 when nothing is live by it either). A name the
 * folders refuse ({@code ..}, an escape, a link leading out) is a 404 and nothing is read; a file that is not media
 * we read is a 415, a disk failure a 500, both logged (at most every 10 s) and neither showing a path.
 *
 * <p>Plays are authorised as the live ones are ({@code auth.play}), under the name {@code <app>/<path>}; a token in
 * the first playlist's query is carried to every URI of the answers. Everything that reads the file runs on the
 * node's file-reading threads ({@link VodLibrary}), never on an event loop.
 */
public final class VodDelivery implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(VodDelivery.class);
    /** A file may be replaced: players and caches ask again within seconds, but need not every second as live. */
    static final String PLAYLIST_CACHE = "max-age=10";
    /** Segment URLs do not name the file's version, so a changed file's segments must not be kept for long. */
    static final String SEGMENT_CACHE = "public, max-age=60";
    /** Folders whose second-to-last part starts a two-part name ({@code v/3.m4s}). */
    private static final Set<String> TRACK_FOLDERS = Set.of("v", "a", "ts");

    private final VodFileCache files;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters http;
    private final RateLimitedLog failures = new RateLimitedLog(log);

    public VodDelivery(VodFileCache files, Playback playback, NodeCounters counters) {
        this.files = files;
        this.playback = playback;
        this.http = counters.protocol(HttpDelivery.PROTOCOL);
    }

    /** What a VOD path asks for: the file ({@code app}, {@code path}) and the name after it. */
    record Target(String app, String path, SegmentRequest request) {
        String name() {
            return app + "/" + path;
        }
    }

    /**
     * The VOD request a path makes, or null when it is not one ({@code app} not a VOD application, or nothing but
     * a stream's name after it). The path is taken as it came, undecoded: a percent-escape or a {@code ..} stays in
     * the name, which the folders then refuse.
     */
    static Target target(String path, java.util.function.Predicate<String> isVodApp) {
        if (path == null || !path.startsWith("/") || path.length() > 2048) {
            return null;
        }
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length < 3 || !isVodApp.test(parts[0])) {
            return null;
        }
        int n = parts.length;
        if (n >= 4 && TRACK_FOLDERS.contains(parts[n - 2])) {
            SegmentRequest r = SegmentRequest.of(parts[0], parts[n - 2] + "/" + parts[n - 1]);
            if (r != null) {
                return new Target(parts[0], String.join("/", Arrays.copyOfRange(parts, 1, n - 2)), r);
            }
        }
        SegmentRequest r = SegmentRequest.of(parts[0], parts[n - 1]);
        return r == null ? null : new Target(parts[0], String.join("/", Arrays.copyOfRange(parts, 1, n - 1)), r);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        Target t = target(req.path(), files.library()::serves);
        if (t == null) {
            ctx.next();
            return;
        }
        if (HttpDelivery.answeredOtherMethod(req, HttpDelivery.cors(ctx.response()))) {
            return;
        }
        HttpDelivery.authorise(playback, ctx, t.name(), () -> serve(ctx, t));
    }

    /** What a request is answered with: a body (null: 404), its type and how long it may be kept. */
    private record Answer(byte[] body, String type, String cache) {
    }

    private void serve(RoutingContext ctx, Target t) {
        // a token reaches the URIs a player asks for next
        String carried = playback.authorises() ? CarriedQuery.safe(ctx.request().query()) : "";
        files.library().blocking(() -> answer(t, carried)).onComplete(done -> {
            HttpServerResponse resp = ctx.response();
            if (resp.ended() || resp.closed()) {
                return;
            }
            if (done.succeeded()) {
                Answer a = done.result();
                HttpDelivery.bytes(ctx, a.body(), a.type(), a.cache(), http);
                return;
            }
            Throwable failed = done.cause();
            if (failed instanceof NoSuchFileException) {
                ctx.next(); // no such file: perhaps a live stream's path after all
            } else if (failed instanceof RefusedName) {
                log.debug("{}: VOD name refused: {}", req(ctx), failed.getMessage());
                HttpDelivery.notFound(resp);
            } else if (failed instanceof VodLibrary.Busy) {
                resp.setStatusCode(503).putHeader("Retry-After", "1").putHeader("Cache-Control", "no-store").end();
            } else if (failed instanceof MediaFileException) {
                failures.warn("{}: {} cannot be played: {}", req(ctx), t.name(), failed.getMessage());
                resp.setStatusCode(415).putHeader("Cache-Control", "max-age=10").end();
            } else {
                failures.warn("{}: {} failed: {}", req(ctx), t.name(), String.valueOf(failed));
                resp.setStatusCode(500).putHeader("Cache-Control", "no-store").end();
            }
        });
    }

    private static String req(RoutingContext ctx) {
        return String.valueOf(ctx.request().remoteAddress());
    }

    /** Blocking: opens (or reuses) the file and builds or finds the answer. */
    private Answer answer(Target t, String carried) throws Exception {
        VodFileCache.Lease opened;
        try {
            opened = files.open(t.app(), t.path());
        } catch (IllegalArgumentException refused) {
            throw new RefusedName(refused.getMessage());
        }
        try (VodFileCache.Lease lease = opened) {
            VodFile f = lease.file();
            SegmentRequest r = t.request();
            TrackType track = r.track();
            String mp4 = track == TrackType.VIDEO ? "video/mp4" : "audio/mp4";
            int n = r.number() < f.cuts().size() ? (int) r.number() : -1;
            return switch (r.kind()) {
                case INDEX -> playlist(f.index(), carried);
                case MEDIA_PLAYLIST -> playlist(f.has(track) ? f.media(track) : null, carried);
                case TS_PLAYLIST -> playlist(f.ts(), carried);
                case MPD -> new Answer(utf8(CarriedQuery.mpd(f.mpd(), carried)), "application/dash+xml",
                        PLAYLIST_CACHE);
                case INIT -> new Answer(r.number() != 0 || !f.has(track) ? null
                        : files.packaged(f, "init-" + track, () -> f.init(track)), mp4, SEGMENT_CACHE);
                case CMAF -> new Answer(n < 0 || !f.has(track) ? null : files.packaged(f, track + "/" + n,
                        () -> Packaging.cmafMedia(f.segment(n, true), track)), mp4, SEGMENT_CACHE);
                case TS -> new Answer(n < 0 ? null : files.packaged(f, "ts/" + n,
                        () -> Packaging.ts(f.segment(n, true))), "video/mp2t", SEGMENT_CACHE);
                default -> new Answer(null, null, null); // no AES for files
            };
        }
    }

    /** A name the VOD folders refuse (see {@code ConfinedPath}): a 404, whatever else goes wrong later is not. */
    private static final class RefusedName extends Exception {
        RefusedName(String message) {
            super(message, null, false, false);
        }
    }

    private static Answer playlist(String text, String carried) {
        return new Answer(text == null ? null : utf8(CarriedQuery.m3u8(text, carried)),
                "application/vnd.apple.mpegurl", PLAYLIST_CACHE);
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
