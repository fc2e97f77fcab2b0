package io.cascade.edge.rtsp;

import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.PushOutput;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtsp.RtspClientUrl;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayAttempts;
import io.cascade.rtsp.RtspClientConnection;
import io.cascade.protocol.rtsp.RtspClientSession;
import io.cascade.rtsp.RtspServer;
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
    private final NetClient client;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtspClientUrl target;
    private final int writeQueueBytes;
    private final RelayAttempts attempts;
    private RtspClientConnection connection;
    private Viewer viewer;
    private boolean connecting;

    /** @throws IllegalArgumentException when the relay's URI is no usable rtsp:// URL */
    public RtspPush(Vertx vertx, NetClient client, Playback playback, NodeCounters counters, int writeQueueBytes,
                    RelayConfig config) {
        this.vertx = vertx;
        this.client = client;
        this.playback = playback;
        this.counters = counters.protocol(RtspServer.PROTOCOL);
        this.writeQueueBytes = writeQueueBytes;
        this.config = config;
        this.target = target(config);
        this.attempts = new RelayAttempts(vertx, config, "push " + config.id() + " (" + config.localStreamName()
                + " to " + target.redacted() + ")", counters.relayAttempts, this::connect);
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
        attempts.start();
        return this;
    }

    private void connect() {
        connecting = true;
        playback.describeRelay(config.localStreamName(), attempts.context()).onComplete(described -> {
            connecting = false;
            if (attempts.stopped()) {
                attempts.ended("stopped");
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
        if (c != connection || attempts.stopped()) {
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
        attempts.ended(reason);
    }

    @Override
    public void stop() {
        attempts.stop(() -> {
            if (connection != null) {
                connection.close("stopped");
                return true;
            }
            return connecting; // a description on its way: its answer ends the attempt
        });
    }

    @Override
    public JsonObject status() {
        return attempts.status();
    }

    /** The target as a viewer's output: RTP in interleaved records on the recording connection. */
    private final class Output extends PushOutput {
        Output(RtspClientConnection connection) {
            super(connection, "push " + config.id() + " to " + target.redacted(), () -> {
                attempts.running();
                log.info("push {}: {} is going to {}", config.id(), config.localStreamName(), target.redacted());
            });
        }
    }
}
