package io.cascade.edge.rtmp;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.FramesToRtmp;
import io.cascade.protocol.rtmp.session.RtmpClientSession;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.cascade.rtmp.RtmpClientConnection;
import io.cascade.rtmp.RtmpServer;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A push over RTMP: publishes one of our streams to another server. To the stream it is a viewer like any other
 * ({@link Playback#relay}): the same shared encoding as RTMP players, the same bounded queue that skips to the next
 * keyframe, the republish rebase that keeps its timestamps rising when our publisher comes back. It stays on the
 * target across republishes; with keepAlive it connects again after every end, waiting longer each time.
 */
public final class RtmpPush implements Relay {
    private static final Logger log = LoggerFactory.getLogger(RtmpPush.class);

    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtmpUrl target;
    private final RtmpClientSession.ConnectOptions options;
    private final int writeQueueBytes;
    private final RelayStatus status;
    private RtmpClientConnection connection;
    private Viewer viewer;
    private long retryTimer = -1;
    private boolean stopped;

    /** @throws IllegalArgumentException when the relay's URI is no usable rtmp:// URL */
    public RtmpPush(Vertx vertx, NetClient client, Playback playback, NodeCounters counters, int writeQueueBytes,
                    RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.playback = playback;
        this.counters = counters.protocol(RtmpServer.PROTOCOL);
        this.writeQueueBytes = writeQueueBytes;
        this.config = config;
        this.status = new RelayStatus(counters.relayAttempts);
        this.target = target(config);
        this.options = new RtmpClientSession.ConnectOptions(config.option("flashVer"), config.option("tcUrl"),
                config.option("swfUrl"), config.option("pageUrl"));
    }

    /**
     * Where the push publishes: the URI itself, or with {@code targetStreamName} the URI names the application
     * ({@code rtmp://host/live}) and that is the stream, as EMS reads its pushStream parameters.
     */
    public static RtmpUrl target(RelayConfig config) {
        if (config.targetStreamName().isEmpty()) {
            return RtmpUrl.parse(config.uri());
        }
        String base = config.uri().endsWith("/") ? config.uri() : config.uri() + "/";
        return RtmpUrl.parse(base + config.targetStreamName());
    }

    public RtmpPush start() {
        context.runOnContext(v -> connect());
        return this;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        status.connecting();
        connection = RtmpClientConnection.open(vertx, client, target, RtmpClientSession.Mode.PUBLISH, options,
                writeQueueBytes, counters, new RtmpClientConnection.Handler() {
                    @Override
                    public void onStarted(RtmpClientConnection c) {
                        if (c == connection && !stopped) {
                            viewer = playback.relay(config.localStreamName(), RtmpServer.PROTOCOL,
                                    RtmpPlayback::sharedEncoder, new Output(c));
                        }
                    }

                    @Override
                    public void onMedia(RtmpMessage message) {
                        // a publishing connection receives none
                    }

                    @Override
                    public void onClosed(String reason) {
                        ended(reason);
                    }
                });
    }

    private void ended(String reason) {
        if (viewer != null) {
            viewer.close();
            viewer = null;
        }
        connection = null;
        if (stopped) {
            status.stopped();
            return;
        }
        long wait = status.ended(reason);
        if (!config.keepAlive()) {
            log.info("push {} ({} to {}) ended: {}", config.id(), config.localStreamName(), target.redacted(), reason);
            status.stopped();
            return;
        }
        log.info("push {} ({} to {}) ended: {}; attempt {} in {} ms", config.id(), config.localStreamName(),
                target.redacted(), reason, status.attempts() + 1, wait);
        retryTimer = vertx.setTimer(wait, id -> {
            retryTimer = -1;
            connect();
        });
    }

    @Override
    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            vertx.cancelTimer(retryTimer);
            if (connection != null) {
                connection.close("stopped");
            } else {
                status.stopped();
            }
        });
    }

    @Override
    public JsonObject status() {
        return status.toJson();
    }

    /** The target as a viewer's output: frames go out on the NetStream the target's createStream gave. */
    private final class Output implements ViewerOutput {
        private final RtmpClientConnection connection;
        private FramesToRtmp ownEncoder;

        Output(RtmpClientConnection connection) {
            this.connection = connection;
        }

        @Override
        public Context context() {
            return connection.context();
        }

        @Override
        public String peer() {
            return "push " + config.id() + " to " + target.redacted();
        }

        @Override
        public void startPlaying() {
            status.running();
            log.info("push {}: {} is going to {}", config.id(), config.localStreamName(), target.redacted());
        }

        @Override
        public boolean writeQueueFull() {
            return connection.writeQueueFull();
        }

        @Override
        public void write(EncodedFrame frame) {
            if (connection.streamId() == RtmpPlayback.SHARED_STREAM_ID) {
                connection.queueMedia(frame.bytes());
                return;
            }
            if (ownEncoder == null) {
                ownEncoder = new FramesToRtmp();
            }
            connection.queueMedia(Unpooled.wrappedBuffer(
                    ownEncoder.encode(frame.frame(), connection.streamId(), frame.timestampMillis())));
        }

        @Override
        public void flush() {
            connection.flush();
        }

        @Override
        public void disconnect() {
            connection.abort("the target took the stream too slowly");
        }

        @Override
        public void notFound() {
            connection.close(config.localStreamName() + " is not live here");
        }

        @Override
        public void unauthorised() {
            connection.close("unauthorised"); // a relay asks no authorisation; kept for the interface's sake
        }

        @Override
        public void goingAway() {
            connection.close("this node is going out of service");
        }

        @Override
        public void unpublished() {
            // the target keeps its connection: our publisher may come back, and the fan-out rebases its timestamps
        }

        @Override
        public void republished() {
        }
    }
}
