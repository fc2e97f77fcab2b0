package io.cascade.ingest.rtmp;

import io.cascade.ingest.Admission;
import io.cascade.ingest.PulledStream;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.RtmpToFrames;
import io.cascade.protocol.rtmp.session.RtmpClientSession;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayAttempts;
import io.cascade.relay.RelayConfig;
import io.cascade.rtmp.RtmpClientConnection;
import io.cascade.rtmp.RtmpServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;

/**
 * A pull over RTMP: plays a stream from another server and publishes it here under the relay's local name, through
 * a {@link PulledStream} (claimed with its first frame); {@link RelayAttempts} connects again after every end.
 */
public final class RtmpPull implements Relay {
    /** What may wait to go out to the source: a pull sends only commands and acknowledgements. */
    private static final int WRITE_QUEUE_BYTES = 64 << 10;

    private final Vertx vertx;
    private final NetClient client;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtmpUrl url;
    private final RtmpClientSession.ConnectOptions options;
    private final RelayAttempts attempts;
    private RtmpClientConnection connection;
    private PulledStream stream;

    /** @throws IllegalArgumentException when the relay's URI is no usable rtmp:// URL */
    public RtmpPull(Vertx vertx, NetClient client, Admission admission, NodeCounters counters, RelayConfig config) {
        this.vertx = vertx;
        this.client = client;
        this.admission = admission;
        this.counters = counters.protocol(RtmpServer.PROTOCOL);
        this.config = config;
        this.url = RtmpUrl.parse(config.uri());
        this.options = RtmpClientSession.ConnectOptions.of(config::option);
        this.attempts = new RelayAttempts(vertx, config, "pull " + config.id() + " (" + config.localStreamName()
                + " from " + url.redacted() + ")", counters.relayAttempts, this::connect);
    }

    public RtmpPull start() {
        attempts.start();
        return this;
    }

    private void connect() {
        RtmpToFrames toFrames = new RtmpToFrames();
        connection = RtmpClientConnection.open(vertx, client, url, RtmpClientSession.Mode.PLAY, options,
                WRITE_QUEUE_BYTES, counters, new RtmpClientConnection.Handler() {
                    @Override
                    public void onStarted(RtmpClientConnection c) {
                        stream = PulledStream.overConnection(admission, config, RtmpServer.PROTOCOL, url.redacted(),
                                "pull " + config.id() + " from " + url.redacted(), attempts, c);
                    }

                    @Override
                    public void onMedia(RtmpMessage message) {
                        if (stream != null) {
                            RtmpPublishing.feed(toFrames, message, stream);
                        }
                    }

                    @Override
                    public void onClosed(String reason) {
                        if (stream != null) {
                            stream.close(connection == null ? 0 : connection.bytesIn());
                            stream = null;
                        }
                        connection = null;
                        attempts.ended(reason);
                    }
                });
    }

    @Override
    public void stop() {
        attempts.stopClosing(() -> connection);
    }

    @Override
    public JsonObject status() {
        return attempts.status();
    }
}
