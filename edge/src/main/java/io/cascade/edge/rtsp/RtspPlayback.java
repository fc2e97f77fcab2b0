package io.cascade.edge.rtsp;

import io.cascade.edge.fanout.Relocation;
import io.cascade.auth.Queries;
import io.cascade.auth.Credentials;
import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.media.MediaFrame;
import io.cascade.rtsp.RtspConnection;
import io.cascade.rtsp.RtspPlayHandler;
import io.cascade.rtsp.RtspPlayRequest;
import io.cascade.rtsp.RtspRefusal;
import io.cascade.rtsp.RtspServer;
import io.cascade.rtsp.RtspVodHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * RTSP's side of a play: DESCRIBE from the stream's configuration on this node, and PLAY as a viewer of the shared
 * fan-out whose bytes are RTP in interleaved records ({@link RtpEncoder}, or {@link TsOverRtpEncoder} for
 * {@code /ts/<stream>}), built once per stream and channel layout and written to every such viewer.
 */
public final class RtspPlayback implements RtspPlayHandler {
    private static final Logger log = LoggerFactory.getLogger(RtspPlayback.class);

    private final Playback playback;
    private final RtspVodHandler files;

    public RtspPlayback(Playback playback) {
        this(playback, RtspVodHandler.NONE);
    }

    /** @param files the node's VOD folders, played beside its live streams */
    public RtspPlayback(Playback playback, RtspVodHandler files) {
        this.playback = playback;
        this.files = files;
    }

    @Override
    public RtspVodHandler vod() {
        return files;
    }

    @Override
    public Future<List<MediaFrame>> describe(String name, Credentials credentials, String peer, Context context) {
        // a DESCRIBE is a player's first request: balancing may move it, unless a balancing redirect sent it here
        boolean placed = Queries.has(credentials.query(), Relocation.PLACED);
        return playback.relocation().target(name, RtspServer.PROTOCOL, !placed).compose(elsewhere -> elsewhere != null
                ? Future.failedFuture(RtspRefusal.movedTo(elsewhere, placed ? null : Relocation.PLACED + "=1"))
                : describeHere(name, credentials, peer, context));
    }

    private Future<List<MediaFrame>> describeHere(String name, Credentials credentials, String peer, Context context) {
        return playback.describe(name, credentials, RtspServer.PROTOCOL, peer, context).recover(failed -> {
            if (failed instanceof Playback.Refused) {
                return Future.failedFuture(new RtspRefusal(401, "not authorised")); // logged by the fan-out
            }
            log.info("{}: DESCRIBE of {}: not live ({})", peer, name, failed.getMessage());
            return Future.failedFuture(new RtspRefusal(404, name + " is not live"));
        });
    }

    @Override
    public AutoCloseable play(RtspConnection connection, RtspPlayRequest request) {
        Viewer viewer = playback.play(request.name(), request.credentials(), RtspServer.PROTOCOL, request.encoding(),
                () -> encoder(request), new Output(connection));
        return viewer::close;
    }

    private static FrameEncoder encoder(RtspPlayRequest request) {
        FrameEncoder packets = request.ts() ? new TsOverRtpEncoder(request.channels().get(0))
                : new RtpEncoder(request.channels());
        return new EncodedOnce(packets);
    }

    /** The player's connection as the fan-out sees it. RTSP has no in-band notices: the stream just pauses. */
    private record Output(RtspConnection connection) implements ViewerOutput {
        @Override
        public Context context() {
            return connection.context();
        }

        @Override
        public String peer() {
            return connection.peer();
        }

        @Override
        public void startPlaying() {
            // PLAY was answered before the viewer was attached: media follows
        }

        @Override
        public boolean writeQueueFull() {
            return connection.writeQueueFull();
        }

        @Override
        public void write(EncodedFrame frame) {
            connection.queueMedia(frame.bytes());
        }

        @Override
        public void flush() {
            connection.flush();
        }

        @Override
        public void disconnect() {
            connection.abort();
        }

        @Override
        public void notFound() {
            connection.close();
        }

        @Override
        public void unauthorised() {
            connection.close(); // PLAY was answered already: a token that expired since DESCRIBE ends the session
        }

        @Override
        public void goingAway() {
            connection.close(); // RTSP has no notice a server sends on its own: the session ends with its connection
        }

        @Override
        public void unpublished() {
            // the player keeps its session and gets the next publish's frames on the same tracks
        }

        @Override
        public void republished() {
        }
    }
}
