package io.cascade.edge.rtsp;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtsp.RtspClientUrl;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.cascade.rtsp.RtspClientConnection;
import io.cascade.protocol.rtsp.RtspClientSession;
import io.cascade.rtsp.RtspServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A push over RTSP: records one of our streams into another server. The stream's configuration (as a DESCRIBE here
 * would give it) becomes the ANNOUNCE's description; after SETUP (TCP interleaved, {@code mode=record}) and RECORD the
 * push is a viewer of the fan-out whose bytes are the RTP an RTSP TCP player of the same channels gets. Reconnects
 * with the relay backoff; a stream not live here counts as a failed attempt. Runs on one event loop.
 */
public final class RtspPush implements Relay {
    private static final Logger log = LoggerFactory.getLogger(RtspPush.class);

    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtspClientUrl target;
    private final int writeQueueBytes;
    private final RelayStatus status;
    private RtspClientConnection connection;
    private Viewer viewer;
    private long retryTimer = -1;
    private boolean connecting;
    private boolean stopped;

    /** @throws IllegalArgumentException when the relay's URI is no usable rtsp:// URL */
    public RtspPush(Vertx vertx, NetClient client, Playback playback, NodeCounters counters, int writeQueueBytes,
                    RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.playback = playback;
        this.counters = counters.protocol(RtspServer.PROTOCOL);
        this.writeQueueBytes = writeQueueBytes;
        this.config = config;
        this.status = new RelayStatus(counters.relayAttempts);
        this.target = target(config);
    }

    /** Where the push records: the URI, or with {@code targetStreamName} the URI's path followed by that name. */
    public static RtspClientUrl target(RelayConfig config) {
        if (config.targetStreamName().isEmpty()) {
            return RtspClientUrl.parse(config.uri());
        }
        String base = config.uri().endsWith("/") ? config.uri() : config.uri() + "/";
        return RtspClientUrl.parse(base + config.targetStreamName());
    }

    public RtspPush start() {
        context.runOnContext(v -> connect());
        return this;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        status.connecting();
        connecting = true;
        playback.describeRelay(config.localStreamName(), context).onComplete(described -> {
            connecting = false;
            if (stopped) {
                status.stopped();
                return;
            }
            if (described.failed()) {
                ended(config.localStreamName() + " is not live here");
                return;
            }
            List<MediaFrame> configs = described.result();
            byte[] sdp;
            try {
                sdp = SdpFormats.describeStream(config.localStreamName(), "127.0.0.1", configs).write()
                        .getBytes(StandardCharsets.UTF_8);
            } catch (SdpException e) {
                ended("nothing RTP can carry: " + e.getMessage());
                return;
            }
            List<Integer> tracks = new ArrayList<>();
            for (MediaFrame f : configs) {
                if (f.isConfig() && f.trackType() != TrackType.DATA) {
                    tracks.add(f.track()); // in the order describeStream writes their sections
                }
            }
            connection = RtspClientConnection.openRecord(vertx, client, target, sdp, tracks, writeQueueBytes, counters,
                    new RtspClientConnection.Handler() {
                        @Override
                        public void onPlaying(RtspClientConnection c, List<RtspClientSession.PlayTrack> t) {
                            // a recording connection plays nothing
                        }

                        @Override
                        public void onRecording(RtspClientConnection c, Map<Integer, Integer> channels) {
                            recording(c, channels);
                        }

                        @Override
                        public void onPacket(int track, boolean rtcp, byte[] data, int offset, int length) {
                            // the server's receiver reports: nothing here needs them
                        }

                        @Override
                        public void onClosed(String reason) {
                            ended(reason);
                        }
                    });
        });
    }

    private void recording(RtspClientConnection c, Map<Integer, Integer> channels) {
        if (c != connection || stopped) {
            return;
        }
        StringBuilder key = new StringBuilder("rtsp");
        new TreeMap<>(channels).forEach((track, channel) -> key.append(' ').append(track).append(':').append(channel));
        // the same bytes as RTSP players of these channels get: one encoding shared with them
        viewer = playback.relay(config.localStreamName(), RtspServer.PROTOCOL, key.toString(),
                () -> new EncodedOnce(new RtpEncoder(channels)), new Output(c));
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
            } else if (!connecting) {
                status.stopped();
            }
        });
    }

    @Override
    public JsonObject status() {
        return status.toJson();
    }

    /** The target as a viewer's output: RTP in interleaved records on the recording connection. */
    private final class Output implements ViewerOutput {
        private final RtspClientConnection connection;

        Output(RtspClientConnection connection) {
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
            connection.queueMedia(frame.bytes());
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
            // the target keeps its session: our publisher may come back on the same tracks
        }

        @Override
        public void republished() {
        }
    }
}
