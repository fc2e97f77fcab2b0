package io.cascade.edge.rtsp;

import io.cascade.auth.Credentials;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.media.MediaFileException;
import io.cascade.metrics.NodeCounters;
import io.cascade.rtsp.RtspRefusal;
import io.cascade.rtsp.RtspServer;
import io.cascade.rtsp.RtspVodHandler;
import io.cascade.rtsp.RtspVodSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.NoSuchFileException;

/**
 * RTSP's side of files played on demand: DESCRIBE opens the file for the session (on the library's workers), after
 * the play is authorised as a live one is, under the name {@code <app>/<path>}; each session then sends the file
 * itself ({@link VodRtspSession}). A missing or refused name is a 404 (no path shown), a file that is not media we
 * read a 415, a disk failure a 500.
 */
public final class VodRtspPlayback implements RtspVodHandler {
    private static final Logger log = LoggerFactory.getLogger(VodRtspPlayback.class);

    private final VodFileCache library;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters rtsp;

    public VodRtspPlayback(VodFileCache library, Playback playback, NodeCounters counters) {
        this.library = library;
        this.playback = playback;
        this.rtsp = counters.protocol(RtspServer.PROTOCOL);
    }

    @Override
    public boolean serves(String app) {
        return library.serves(app);
    }

    @Override
    public Future<RtspVodSession> describe(String app, String path, Credentials credentials, String peer,
                                           Context context) {
        Promise<RtspVodSession> answer = Promise.promise();
        String name = app + "/" + path;
        playback.authorise(name, credentials, RtspServer.PROTOCOL, peer, context)
                .compose(granted -> library.blocking(() -> library.open(app, path)))
                .onComplete(opened -> context.runOnContext(v -> {
                    if (opened.succeeded()) {
                        answer.complete(new VodRtspSession(library, opened.result(), rtsp));
                        return;
                    }
                    Throwable failed = opened.cause();
                    if (failed instanceof Playback.Refused) {
                        answer.fail(new RtspRefusal(401, "not authorised"));
                    } else if (failed instanceof NoSuchFileException || failed instanceof IllegalArgumentException) {
                        log.info("{}: DESCRIBE of {}: no such file", peer, name);
                        answer.fail(new RtspRefusal(404, "no such file"));
                    } else if (failed instanceof VodFileCache.Busy) {
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
