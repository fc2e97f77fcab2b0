package io.cascade.edge.rtmp;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.PushOutput;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.FramesToRtmp;
import io.cascade.protocol.rtmp.session.RtmpClientSession;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayAttempts;
import io.cascade.rtmp.RtmpClientConnection;
import io.cascade.rtmp.RtmpServer;
import io.netty.buffer.Unpooled;
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
    private final NetClient client;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtmpUrl target;
    private final RtmpClientSession.ConnectOptions options;
    private final int writeQueueBytes;
    private final RelayAttempts attempts;
    private RtmpClientConnection connection;
    private Viewer viewer;

    /** @throws IllegalArgumentException when the relay's URI is no usable rtmp:// URL */
    public RtmpPush(Vertx vertx, NetClient client, Playback playback, NodeCounters counters, int writeQueueBytes,
                    RelayConfig config) {
        this.vertx = vertx;
        this.client = client;
        this.playback = playback;
        this.counters = counters.protocol(RtmpServer.PROTOCOL);
        this.writeQueueBytes = writeQueueBytes;
        this.config = config;
        this.target = target(config);
        this.attempts = new RelayAttempts(vertx, config, "push " + config.id() + " (" + config.localStreamName()
                + " to " + target.redacted() + ")", counters.relayAttempts, this::connect);
        this.options = RtmpClientSession.ConnectOptions.of(config::option);
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
        attempts.start();
        return this;
    }

    private void connect() {
        connection = RtmpClientConnection.open(vertx, client, target, RtmpClientSession.Mode.PUBLISH, options,
                writeQueueBytes, counters, new RtmpClientConnection.Handler() {
                    @Override
                    public void onStarted(RtmpClientConnection c) {
                        if (c == connection && !attempts.stopped()) {
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
        attempts.ended(reason);
    }

    @Override
    public void stop() {
        attempts.stopClosing(() -> connection);
    }

    @Override
    public JsonObject status() {
        return attempts.status();
    }

    /** The target as a viewer's output: frames go out on the NetStream the target's createStream gave. */
    private final class Output extends PushOutput {
        private final RtmpClientConnection target;
        private FramesToRtmp ownEncoder;

        Output(RtmpClientConnection target) {
            super(target, "push " + config.id() + " to " + RtmpPush.this.target.redacted(), () -> {
                attempts.running();
                log.info("push {}: {} is going to {}", config.id(), config.localStreamName(),
                        RtmpPush.this.target.redacted());
            });
            this.target = target;
        }

        @Override
        public void write(EncodedFrame frame) {
            if (target.streamId() == RtmpPlayback.SHARED_STREAM_ID) {
                target.queueMedia(frame.bytes());
                return;
            }
            if (ownEncoder == null) {
                ownEncoder = new FramesToRtmp();
            }
            target.queueMedia(Unpooled.wrappedBuffer(
                    ownEncoder.encode(frame.frame(), target.streamId(), frame.timestampMillis())));
        }
    }
}
