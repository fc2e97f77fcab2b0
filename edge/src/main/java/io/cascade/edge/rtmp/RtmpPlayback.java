package io.cascade.edge.rtmp;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.protocol.rtmp.frames.FramesToRtmp;
import io.cascade.protocol.rtmp.session.PlayRequest;
import io.cascade.rtmp.RtmpConnection;
import io.cascade.rtmp.RtmpPlayHandler;
import io.cascade.rtmp.RtmpServer;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.metrics.NodeCounters;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;

/**
 * RTMP's side of a play: the viewer's NetStream as a {@link ViewerOutput}, and RTMP chunks as the stream's
 * {@link FrameEncoder}. Frames are encoded once for message stream 1, what every common client gets from
 * createStream; a client playing on another NetStream id gets its own encoding (rare, and correct).
 */
public final class RtmpPlayback implements RtmpPlayHandler {
    /** The message stream id the shared encoding is built for. */
    static final int SHARED_STREAM_ID = 1;

    private final Playback playback;
    private final Vod vod;

    /**
     * What plays of files need: the node's open files (shared with HLS, DASH and RTSP), through them the library's
     * folders, bound on plays and file-reading threads, and the node's counters.
     */
    public record Vod(VodFileCache files, NodeCounters counters) {
    }

    public RtmpPlayback(Playback playback) {
        this(playback, null);
    }

    /** @param vod plays in the applications of its folders play files; null: every play is of a live stream */
    public RtmpPlayback(Playback playback, Vod vod) {
        this.playback = playback;
        this.vod = vod;
    }

    @Override
    public boolean servesFiles(String app) {
        return vod != null && vod.files().library().serves(app);
    }

    @Override
    public void play(RtmpConnection c, PlayRequest r) {
        if (servesFiles(r.app())) {
            c.bind(r.streamId(), RtmpVod.play(c, r, vod.files(), playback, vod.counters()));
            return;
        }
        Viewer viewer = playback.play(r.name(), c.credentials(r.query()), RtmpServer.PROTOCOL, RtmpPlayback::sharedEncoder,
                new Output(c, r));
        c.bind(r.streamId(), viewer::close);
    }

    static FrameEncoder sharedEncoder() {
        FramesToRtmp toRtmp = new FramesToRtmp();
        // JSON messages are for metadata subscribers (/<stream>/meta) only: an FLV reader would take them for a
        // data or subtitle stream of their own
        return (frame, timestampMillis) -> frame.isDataMessage() ? null
                : toRtmp.encode(frame, SHARED_STREAM_ID, timestampMillis);
    }

    private static final class Output implements ViewerOutput {
        private final RtmpConnection connection;
        private final PlayRequest request;
        private FramesToRtmp ownEncoder;

        Output(RtmpConnection connection, PlayRequest request) {
            this.connection = connection;
            this.request = request;
        }

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
            connection.session().startPlay(request.streamId(), request.name(), request.reset());
        }

        @Override
        public boolean writeQueueFull() {
            return connection.writeQueueFull();
        }

        @Override
        public void write(EncodedFrame frame) {
            if (request.streamId() == SHARED_STREAM_ID) {
                connection.queueMedia(frame.bytes());
                return;
            }
            if (ownEncoder == null) {
                ownEncoder = new FramesToRtmp();
            }
            connection.queueMedia(Unpooled.wrappedBuffer(
                    ownEncoder.encode(frame.frame(), request.streamId(), frame.timestampMillis())));
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
            connection.session().playNotFound(request.streamId(), request.name());
        }

        @Override
        public void unauthorised() {
            // what FMS answers a play its access rules refuse; the connection then ends, as a refused publish's does
            connection.session().refusePlay(request.streamId(), "NetStream.Play.Failed", "Not authorised.");
            connection.close();
        }

        @Override
        public void goingAway() {
            connection.session().stopPlay(request.streamId(), "This server is going out of service.");
            connection.close();
        }

        @Override
        public void unpublished() {
            connection.session().unpublishNotify(request.streamId(), request.name());
        }

        @Override
        public void republished() {
            connection.session().publishNotify(request.streamId(), request.name());
        }
    }
}
