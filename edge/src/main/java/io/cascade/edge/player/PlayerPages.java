package io.cascade.edge.player;

import io.cascade.auth.Credentials;
import io.vertx.core.http.HttpHeaders;
import io.cascade.auth.Queries;
import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.edge.fanout.Playback;
import io.cascade.media.StreamNames;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's player pages on its HTTP port: {@code /} lists the live streams of the cluster, {@code
 * /play/<stream>?protocol=hls|dash|ws|flv} plays one in the browser with hls.js, dash.js, the node's WebSocket player
 * ({@code /player/ws.js}) or mpegts.js. The libraries are the npm packages the deploy module's build fetches
 * (versions pinned as in deploy/browser/package-lock.json), served from the jar under {@code /player/lib/}; nothing
 * is loaded from anywhere else.
 *
 * <p>The play page shows, once a second, what it plays: the picture's size, the bitrate the player receives, the
 * latency (when the ingest got the picture shown, against the node's clock from {@code /time}: EXT-X-PROGRAM-DATE-TIME
 * for HLS, availabilityStartTime for DASH, the WebSocket stream's clock messages; none for FLV) and dropped frames,
 * also as {@code window.__playerStats} for scripts.
 *
 * <p>Stream names follow the name rule ({@code [A-Za-z0-9._-]}), so they go into the pages as they are; the protocol
 * is one of four words. A name that is not live is answered 404 and creates nothing.
 *
 * <p>When plays are authorised ({@code auth.play}), {@code /play/<stream>} is too (401 or 403 before the registry is
 * asked), and the page's query, without {@code protocol}, goes on to the media URLs the player asks for:
 * {@code /play/cam1?protocol=ws&expires=..&sig=..} plays {@code ws://host/cam1/ws?expires=..&sig=..}. The index of
 * live streams asks for nothing: names are not secret (ingest points keep publishing names secret).
 */
public final class PlayerPages {
    /** The protocols a page plays, and the library each loads (null: the node's own script). */
    static final Map<String, String> PROTOCOLS = new LinkedHashMap<>();

    static {
        PROTOCOLS.put("hls", "/player/lib/hls.min.js");
        PROTOCOLS.put("dash", "/player/lib/dash.all.min.js");
        PROTOCOLS.put("ws", "/player/ws.js");
        PROTOCOLS.put("flv", "/player/lib/mpegts.js");
    }

    /** What the index lists at most: a page, not a dump of a large cluster's registry. */
    static final int MAX_LISTED = 1000;
    /** The play route, for a router: {@code /play/<stream>}, except names that end like HLS/DASH files, so a stream
     *  called "play" keeps {@code /play/index.m3u8} and {@code /play/index.mpd}. */
    public static final String PLAY_PATH_REGEX = "/play/(?![^/]*\\.(?:m3u8|mpd)$)[^/]{1," + StreamNames.MAX_LENGTH + "}";
    /** The library route, for a router. */
    public static final String LIBRARY_PATH_REGEX = "/player/lib/[A-Za-z0-9._-]{1,64}";
    private static final Pattern PLAY_PATH = Pattern.compile("/play/([^/]{1," + StreamNames.MAX_LENGTH + "})");
    private static final String LIBRARY_RESOURCES = "lib/";

    /** The protocol name each page's player is authorised as (the one its media requests are served under). */
    private static final Map<String, String> SERVED_AS = Map.of("hls", "http", "dash", "http", "ws", "ws", "flv", "flv");

    private final StreamRegistry registry;
    private final Playback playback;
    /** The libraries found in the jar, by file name. */
    private final Map<String, byte[]> libraries = new LinkedHashMap<>();

    /** @param playback where a page's play is authorised before it is served */
    public PlayerPages(StreamRegistry registry, Playback playback) {
        this.registry = registry;
        this.playback = playback;
        for (String path : PROTOCOLS.values()) {
            if (path.startsWith("/player/lib/")) {
                String file = path.substring("/player/lib/".length());
                byte[] js = resource(LIBRARY_RESOURCES + file);
                if (js != null) {
                    libraries.put(file, js);
                }
            }
        }
    }

    /** Whether the build found the library a protocol's page needs (the WebSocket player is always there). */
    boolean hasLibrary(String protocol) {
        String path = PROTOCOLS.get(protocol);
        return path != null && (!path.startsWith("/player/lib/")
                || libraries.containsKey(path.substring("/player/lib/".length())));
    }

    /** {@code GET /}: the live streams, each with a link per protocol. */
    public void index(RoutingContext ctx) {
        registry.list().onComplete(listed -> {
            StringBuilder rows = new StringBuilder();
            if (listed.succeeded()) {
                List<StreamRecord> streams = listed.result().stream().filter(r -> StreamNames.isValid(r.name()))
                        .sorted(Comparator.comparing(StreamRecord::name)).limit(MAX_LISTED).toList();
                for (StreamRecord r : streams) {
                    rows.append("<tr><td>").append(r.name()).append("</td>");
                    for (String protocol : PROTOCOLS.keySet()) {
                        rows.append("<td><a href=\"/play/").append(r.name()).append("?protocol=").append(protocol)
                                .append("\">").append(protocol).append("</a></td>");
                    }
                    rows.append("</tr>\n");
                }
                if (streams.isEmpty()) {
                    rows.append("<tr><td colspan=\"5\">no live stream</td></tr>\n");
                }
            } else {
                rows.append("<tr><td colspan=\"5\">the stream registry did not answer</td></tr>\n");
            }
            html(ctx.response().setStatusCode(listed.succeeded() ? 200 : 503), "<!doctype html>\n"
                    + "<html><head><meta charset=\"utf-8\"><title>Cascade</title>" + STYLE + "</head><body>\n"
                    + "<h1>Live streams</h1>\n<table>\n" + rows + "</table>\n</body></html>\n");
        });
    }

    /** {@code GET /play/<stream>?protocol=...}: a page that plays the stream. */
    public void play(RoutingContext ctx) {
        Matcher m = PLAY_PATH.matcher(ctx.request().path());
        String protocol = ctx.request().getParam("protocol", "hls");
        if (!m.matches() || !StreamNames.isValid(m.group(1)) || !PROTOCOLS.containsKey(protocol)) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        String stream = m.group(1);
        Credentials credentials = playback.credentials(ctx.request().query() == null ? "" : ctx.request().query(),
                ctx.request().method().name(), ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        playback.authorise(stream, credentials, SERVED_AS.get(protocol), String.valueOf(ctx.request().remoteAddress()),
                io.vertx.core.Vertx.currentContext()).onComplete(granted -> {
            if (granted.failed()) {
                int status = granted.cause() instanceof Playback.Refused r ? r.httpStatus() : 503;
                if (status == 401) {
                    ctx.response().putHeader("WWW-Authenticate",
                            ((Playback.Refused) granted.cause()).httpChallenge());
                }
                html(ctx.response().setStatusCode(status), "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
                        + "<title>Cascade</title>" + STYLE + "</head><body><p>Not authorised to play " + stream
                        + ".</p></body></html>\n");
                return;
            }
            registry.find(stream).onComplete(found -> {
                if (found.failed() || found.result() == null) {
                    html(ctx.response().setStatusCode(404), "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
                            + "<title>Cascade</title>" + STYLE + "</head><body><p>" + stream + " is not live. "
                            + "<a href=\"/\">Live streams</a></p></body></html>\n");
                    return;
                }
                // the token (whatever else the page was given) goes on to the player's media requests
                String carried = playback.authorises() ? Queries.safe(Queries.without(credentials.query(), "protocol")) : "";
                html(ctx.response(), playPage(stream, protocol, carried));
            });
        });
    }

    /** {@code GET /favicon.ico}: nothing, said at once (browsers ask on every page). */
    public void favicon(RoutingContext ctx) {
        ctx.response().setStatusCode(204).putHeader("Cache-Control", "public, max-age=86400").end();
    }

    /** {@code GET /player/lib/<file>}: a player library from the jar. */
    public void library(RoutingContext ctx) {
        String path = ctx.request().path();
        byte[] js = libraries.get(path.substring(path.lastIndexOf('/') + 1));
        if (js == null) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        ctx.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
                .putHeader("Cache-Control", "public, max-age=86400").end(Buffer.buffer(js));
    }

    private String playPage(String stream, String protocol, String carried) {
        StringBuilder links = new StringBuilder();
        for (String p : PROTOCOLS.keySet()) {
            links.append(p.equals(protocol) ? "<b>" + p + "</b>" : "<a href=\"/play/" + stream + "?protocol=" + p
                    + (carried.isEmpty() ? "" : "&amp;" + carried.replace("&", "&amp;")) + "\">" + p + "</a>").append(' ');
        }
        String library = PROTOCOLS.get(protocol);
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + stream + " (" + protocol + ")</title>"
                + STYLE + "</head><body>\n"
                + "<p><a href=\"/\">Live streams</a> / " + stream + ": " + links + "</p>\n"
                + "<p id=\"stats\">starting</p>\n"
                + "<video id=\"v\" controls muted autoplay playsinline></video>\n"
                + "<p id=\"status\"></p>\n"
                + (hasLibrary(protocol) ? "<script src=\"" + library + "\"></script>\n"
                : "<p>This build has no " + library.substring(library.lastIndexOf('/') + 1)
                + " (the deploy module's Maven build puts it in the jar).</p>\n")
                + "<script>\n" + PLAY_SCRIPT.replace("@STREAM@", stream).replace("@PROTOCOL@", protocol)
                .replace("@QUERY@", carried) + "</script>\n"
                + "</body></html>\n";
    }

    private static void html(HttpServerResponse resp, String page) {
        resp.putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
                .end(page);
    }

    private static byte[] resource(String name) {
        try (InputStream in = PlayerPages.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String STYLE = "<style>body{font-family:sans-serif;margin:1em}video{width:100%;max-width:960px;"
            + "background:#000}td{padding:.2em .8em}#stats{font-family:monospace}</style>";

    /** The page's player: each protocol with its library; errors go to the status line. */
    private static final String PLAY_SCRIPT = new String(resourceOrEmpty("play.js"), StandardCharsets.UTF_8);

    private static byte[] resourceOrEmpty(String name) {
        byte[] b = resource(name);
        if (b == null) {
            throw new IllegalStateException(name + " missing from the jar");
        }
        return b;
    }
}
