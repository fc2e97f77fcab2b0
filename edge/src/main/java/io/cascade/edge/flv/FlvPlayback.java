package io.cascade.edge.flv;

import io.cascade.auth.Credentials;
import io.cascade.cluster.StreamRegistry;
import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.edge.fanout.Playback;
import io.cascade.media.StreamNames;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.flv.FlvWriter;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP-FLV on the node's HTTP port: {@code GET /<stream>.flv} answers a chunked FLV stream, what ffmpeg, VLC and
 * flv.js / mpegts.js play: the FLV header, onMetaData at timestamp 0, the sequence headers, then the GOP from the
 * cache and live frames. Each tag is built once per stream on this node ({@link FlvWriter}, from the same message
 * bodies RTMP playback sends) and written to every FLV viewer; viewers go through the shared fan-out
 * ({@link Playback}), so a slow one skips to the next keyframe and one that stays behind is disconnected. When the
 * publisher goes away the response stays open and resumes, timestamps continuing, when the stream is published again.
 *
 * <p>A viewer is authorised first ({@code auth.play}, the token in the request's query): a refusal is 401 or 403. A
 * name that is not live anywhere is then a 404 from the stream registry that creates nothing.
 */
public final class FlvPlayback implements Handler<RoutingContext> {
    /** The protocol's name in metrics and logs. */
    public static final String PROTOCOL = "flv";
    /** The routes it serves, for a router: {@code /<stream>.flv}. */
    public static final String PATH_REGEX = "/[^/]{1," + StreamNames.MAX_LENGTH + "}\\.flv";
    private static final Pattern PATH = Pattern.compile("/([^/]{1," + StreamNames.MAX_LENGTH + "})\\.flv");
    private static final Logger log = LoggerFactory.getLogger(FlvPlayback.class);

    private final Playback playback;
    private final StreamRegistry registry;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters flv;
    private final int queueBytes;

    /** @param queueBytes bytes queued for one viewer before it counts as behind ({@code viewer.queue.bytes}) */
    public FlvPlayback(Playback playback, StreamRegistry registry, NodeCounters counters, int queueBytes) {
        this.playback = playback;
        this.registry = registry;
        this.counters = counters;
        this.flv = counters.protocol(PROTOCOL);
        this.queueBytes = queueBytes;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = ctx.response();
        Matcher m = PATH.matcher(req.path());
        if (!m.matches()) {
            ctx.next(); // not a path of this protocol
            return;
        }
        cors(resp);
        if (!StreamNames.isValid(m.group(1))) {
            resp.setStatusCode(404).end();
            return;
        }
        if (req.method() == HttpMethod.OPTIONS) {
            resp.setStatusCode(204).putHeader("Access-Control-Max-Age", "86400").end();
            return;
        }
        if (req.method() != HttpMethod.GET) {
            resp.setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, OPTIONS").end();
            return;
        }
        String stream = m.group(1);
        playback.relocation().redirectOr(req, stream, PROTOCOL, true, () -> play(req, resp, stream));
    }

    private void play(HttpServerRequest req, HttpServerResponse resp, String stream) {
        Credentials credentials = playback.credentials(req.query() == null ? "" : req.query(), req.method().name(),
                req.getHeader(HttpHeaders.AUTHORIZATION));
        Context context = Vertx.currentContext();
        playback.authorise(stream, credentials, PROTOCOL, String.valueOf(req.remoteAddress()), context).onComplete(granted -> {
            if (granted.failed()) {
                refuse(resp, granted.cause());
                return;
            }
            registry.find(stream).onComplete(found -> {
                if (found.failed() || found.result() == null) {
                    counters.playRefusedNotFound.increment();
                    resp.setStatusCode(404).putHeader("Cache-Control", "max-age=1").end(); // nothing made for the name
                    return;
                }
                if (resp.closed()) {
                    return; // the client left during the lookup
                }
                FlvViewer viewer = new FlvViewer(req, resp, flv, queueBytes);
                viewer.bind(playback.play(granted.result(), PROTOCOL, FlvPlayback::encoder, viewer));
            });
        });
    }

    /** Authorisation said no: 401 or 403, before anything is made for the name. */
    static void refuse(HttpServerResponse resp, Throwable why) {
        if (resp.closed()) {
            return;
        }
        if (why instanceof Playback.Refused refused) {
            resp.setStatusCode(refused.httpStatus());
            if (refused.httpStatus() == 401) {
                resp.putHeader("WWW-Authenticate", refused.httpChallenge());
            }
        } else {
            resp.setStatusCode(503);
        }
        resp.putHeader("Cache-Control", "no-store").end();
    }

    /** The stream's FLV encoding on this node: a tag per frame, the same bytes for every viewer. */
    static FrameEncoder encoder() {
        RateLimitedLog skipped = new RateLimitedLog(log);
        return (frame, timestampMillis) -> {
            if (frame.isDataMessage()) {
                return null; // JSON messages are for metadata subscribers (/<stream>/meta) only
            }
            try {
                return FlvWriter.tag(frame, timestampMillis);
            } catch (IllegalArgumentException e) {
                skipped.warn("a frame is not sent to FLV viewers: {}", e.getMessage());
                return null;
            }
        };
    }

    static HttpServerResponse cors(HttpServerResponse resp) {
        return resp.putHeader("Access-Control-Allow-Origin", "*")
                .putHeader("Access-Control-Allow-Methods", "GET, OPTIONS");
    }
}
