package io.cascade.rtsp;

import io.cascade.auth.Credentials;
import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * The edge role's answer to DESCRIBE of a media file played on demand: {@code /<app>/<path>} where {@code <app>} is
 * a VOD application ({@code vod.folder}, {@code vod.folders}), and {@code /ts/<app>/<path>} (or {@code /vodts/<path>}
 * for the application {@code vod}) for the file as MPEG-TS over RTP.
 */
public interface RtspVodHandler {
    /** A node without VOD: no application is one. */
    RtspVodHandler NONE = new RtspVodHandler() {
        @Override
        public boolean serves(String app) {
            return false;
        }

        @Override
        public Future<RtspVodSession> describe(String app, String path, Credentials credentials, String peer,
                                               Context context) {
            return Future.failedFuture(new RtspRefusal(404, "no VOD here"));
        }
    };

    /** Whether {@code app} (a URL's first path segment) names a VOD folder. */
    boolean serves(String app);

    /**
     * Opens the file {@code path} names in {@code app}'s folder for one session: a failed future with an
     * {@link RtspRefusal} when it cannot be played (404 for a name that is missing or refused, 415 for a file that is
     * not media we read, 401 when authorisation says no). Completes on {@code context}.
     */
    Future<RtspVodSession> describe(String app, String path, Credentials credentials, String peer, Context context);
}
