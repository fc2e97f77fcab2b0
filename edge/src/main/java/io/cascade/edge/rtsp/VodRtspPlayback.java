package io.cascade.edge.rtsp;

import io.cascade.auth.Credentials;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.media.MediaFileException;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.rtsp.RtspRefusal;
import io.cascade.rtsp.RtspServer;
import io.cascade.rtsp.RtspVodHandler;
import io.cascade.rtsp.RtspVodSession;
import io.cascade.vod.VodLibrary;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.NoSuchFileException;

/**
 * RTSP's side of files played on demand: DESCRIBE takes one of the node's plays of files ({@code vod.max.plays}, shared
 * with RTMP) and opens the file for the session through the open-file cache (on the library's threads), after the play
 * is authorised as a live one is, under the name {@code <app>/<path>}; each session then plays the file
 * ({@link VodRtspSession}). A missing or refused name is a 404 (no path shown), a file that is not media we read a
 * 415, a node at its bound on plays or with its file reads all busy a 503, a disk failure a 500.
 */
public final class VodRtspPlayback implements RtspVodHandler {
    private static final Logger log = LoggerFactory.getLogger(VodRtspPlayback.class);

    /** Refusals for the node's bound come as fast as clients ask: a line every 10 s. */
    private static final RateLimitedLog fullLog = new RateLimitedLog(log, 10_000_000_000L);

    private final VodFileCache files;
    private final VodLibrary library;
    private final Playback playback;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters rtsp;

    public VodRtspPlayback(VodFileCache files, Playback playback, NodeCounters counters) {
        this.files = files;
        this.library = files.library();
        this.playback = playback;
        this.counters = counters;
        this.rtsp = counters.protocol(RtspServer.PROTOCOL);
    }

    @Override
    public boolean serves(String app) {
        return library.serves(app);
    }

    /** One of the node's plays of files for this session, or the 503 RTMP's Play.Failed is to RTSP. */
    private Future<Void> takePlay(String name, String peer) {
        if (library.take()) {
            return Future.succeededFuture();
        }
        fullLog.warn("{}: DESCRIBE of {} refused: {} files play already (vod.max.plays)", peer, name,
                library.maxPlays());
        counters.vodPlaysRefusedFull.increment();
        return Future.failedFuture(new RtspRefusal(503, "the server plays as many files as it can"));
    }

    @Override
    public Future<RtspVodSession> describe(String app, String path, Credentials credentials, String peer,
                                           Context context) {
        Promise<RtspVodSession> answer = Promise.promise();
        String name = app + "/" + path;
        playback.authorise(name, credentials, RtspServer.PROTOCOL, peer, context)
                .compose(granted -> takePlay(name, peer))
                .compose(slot -> library.blocking(() -> files.open(app, path))
                        .onFailure(notOpened -> library.release()))
                .onComplete(opened -> context.runOnContext(v -> {
                    if (opened.succeeded()) {
                        answer.complete(new VodRtspSession(library, opened.result(), rtsp));
                        return;
                    }
                    Throwable failed = opened.cause();
                    if (failed instanceof RtspRefusal refusal) {
                        answer.fail(refusal);
                    } else if (failed instanceof Playback.Refused) {
                        answer.fail(new RtspRefusal(401, "not authorised"));
                    } else if (failed instanceof NoSuchFileException || failed instanceof IllegalArgumentException) {
                        log.info("{}: DESCRIBE of {}: no such file", peer, name);
                        answer.fail(new RtspRefusal(404, "no such file"));
                    } else if (failed instanceof VodLibrary.Busy) {
                        answer.fail(new RtspRefusal(503, "file reads are all busy"));
                    } else if (failed instanceof MediaFileException) {
                        log.warn("{}: DESCRIBE of {}: cannot be played: {}", peer, name, failed.getMessage());
                        answer.fail(new RtspRefusal(415, "not a media file this server plays"));
                    } else {
                        log.warn("{}: DESCRIBE of {} failed: {}", peer, name, String.valueOf(failed));
                        answer.fail(new RtspRefusal(500, "the file could not be read"));
                    }
                }));
        return answer.future();
    }
}
