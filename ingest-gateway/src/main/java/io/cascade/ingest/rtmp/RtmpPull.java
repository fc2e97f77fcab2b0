package io.cascade.ingest.rtmp;

import io.cascade.ingest.Admission;
import io.cascade.ingest.Publication;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.RtmpToFrames;
import io.cascade.protocol.rtmp.session.RtmpClientSession;
import io.cascade.protocol.rtmp.session.RtmpUrl;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.cascade.rtmp.RtmpClientConnection;
import io.cascade.rtmp.RtmpServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pull over RTMP: plays a stream from another server and publishes it here under the relay's local name. It goes
 * through {@link Admission#admitRelay} (the name claimed cluster-wide) once the first frame arrives; with keepAlive it
 * connects again after every end, waiting longer each time ({@link io.cascade.relay.Backoff}). Runs on one event loop.
 */
public final class RtmpPull implements Relay {
    private static final Logger log = LoggerFactory.getLogger(RtmpPull.class);
    /** What may wait to go out to the source: a pull sends only commands and acknowledgements. */
    private static final int WRITE_QUEUE_BYTES = 64 << 10;
    /** Messages held while admission decides (milliseconds): the source's first second at most. */
    static final int MAX_PENDING_MESSAGES = 256;

    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtmpUrl url;
    private final RtmpClientSession.ConnectOptions options;
    private final RelayStatus status;
    private RtmpClientConnection connection;
    private Publication publication;
    private RtmpToFrames toFrames;
    private final java.util.List<RtmpMessage> pending = new java.util.ArrayList<>();
    private boolean admitting;
    private long retryTimer = -1;
    private boolean stopped;

    /** @throws IllegalArgumentException when the relay's URI is no usable rtmp:// URL */
    public RtmpPull(Vertx vertx, NetClient client, Admission admission, NodeCounters counters, RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.admission = admission;
        this.counters = counters.protocol(RtmpServer.PROTOCOL);
        this.config = config;
        this.status = new RelayStatus(counters.relayAttempts);
        this.url = RtmpUrl.parse(config.uri());
        this.options = new RtmpClientSession.ConnectOptions(config.option("flashVer"), config.option("tcUrl"),
                config.option("swfUrl"), config.option("pageUrl"));
    }

    /** Makes the first attempt. */
    public RtmpPull start() {
        context.runOnContext(v -> connect());
        return this;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        status.connecting();
        toFrames = new RtmpToFrames();
        pending.clear();
        admitting = false;
        connection = RtmpClientConnection.open(vertx, client, url, RtmpClientSession.Mode.PLAY, options, WRITE_QUEUE_BYTES,
                counters,
                new RtmpClientConnection.Handler() {
                    @Override
                    public void onStarted(RtmpClientConnection c) {
                        // the name is claimed with the first frame: a server such as nginx-rtmp starts a play of a
                        // stream nobody publishes and waits, and the name must not look live meanwhile
                    }

                    @Override
                    public void onMedia(RtmpMessage message) {
                        media(message);
                    }

                    @Override
                    public void onClosed(String reason) {
                        ended(reason);
                    }
                });
    }

    /** The first frame arrived: the local name is claimed as any publisher's would be. */
    private void admit(RtmpClientConnection c) {
        admitting = true;
        admission.admitRelay(config.localStreamName(), RtmpServer.PROTOCOL, "pull " + url.redacted())
                .onComplete(admitted -> {
                    if (admitted.failed()) {
                        pending.clear();
                        c.close("refused here: " + admitted.cause().getMessage());
                        return;
                    }
                    if (c != connection || stopped) {
                        admitted.result().close(0);
                        c.close("stopped");
                        return;
                    }
                    publication = admitted.result();
                    publication.start("pull " + config.id() + " from " + url.redacted(),
                            () -> context.runOnContext(v -> c.close("ended by this node")));
                    status.running();
                    pending.forEach(this::convert);
                    pending.clear();
                });
    }

    private void media(RtmpMessage message) {
        if (publication != null) {
            convert(message);
            return;
        }
        // admission is deciding: what the source sent first (metadata, sequence headers) waits for its answer
        if (pending.size() < MAX_PENDING_MESSAGES) {
            pending.add(message);
        }
        if (!admitting) {
            admit(connection);
        }
    }

    private void convert(RtmpMessage message) {
        RtmpPublishing.feed(toFrames, message, publication);
    }

    private void ended(String reason) {
        RtmpClientConnection ended = connection;
        pending.clear();
        if (publication != null) {
            publication.close(ended == null ? 0 : ended.bytesIn());
            publication = null;
        }
        connection = null;
        if (stopped) {
            status.stopped();
            return;
        }
        long wait = status.ended(reason);
        if (!config.keepAlive()) {
            log.info("pull {} ({} from {}) ended: {}", config.id(), config.localStreamName(), url.redacted(), reason);
            status.stopped();
            return;
        }
        log.info("pull {} ({} from {}) ended: {}; attempt {} in {} ms", config.id(), config.localStreamName(),
                url.redacted(), reason, status.attempts() + 1, wait);
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
}
