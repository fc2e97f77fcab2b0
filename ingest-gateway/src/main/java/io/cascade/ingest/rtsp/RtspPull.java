package io.cascade.ingest.rtsp;

import io.cascade.ingest.Admission;
import io.cascade.ingest.PulledStream;
import io.cascade.ingest.Publication;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtp.frames.RtpToFrames;
import io.cascade.protocol.rtsp.RtspClientSession;
import io.cascade.protocol.rtsp.RtspClientUrl;
import io.cascade.protocol.rtsp.RtspHttpTunnel;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayAttempts;
import io.cascade.rtsp.RtspClientConnection;
import io.cascade.rtsp.RtspServer;
import io.cascade.rtsp.UdpPortPool;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A pull over RTSP: plays a stream from a camera or another server and publishes it here under the relay's local name.
 * Its RTP becomes frames exactly as an RTSP RECORD's does ({@link RtpToFrames}: reordering over UDP, tracks aligned by
 * RTCP sender reports within {@code rtsp.rtcp.wait.ms}); the first frame asks {@link Admission#admitRelay} for the
 * name, and what comes while it decides is held (bounded). With keepAlive it connects again after every end, waiting
 * longer each time ({@link io.cascade.relay.Backoff}). Runs on one event loop.
 *
 * <p>Transport: TCP interleaved unless the relay's {@code forceTcp} option is {@code 0} (EMS's name), then UDP with
 * port pairs from {@code rtsp.udp.ports}. With {@code httpProxy} ({@code self}, or an HTTP proxy's {@code host:port},
 * EMS's option) the session is tunnelled over HTTP ({@link io.cascade.protocol.rtsp.RtspHttpTunnel}), TCP
 * interleaved only.
 */
public final class RtspPull implements Relay {
    private static final Logger log = LoggerFactory.getLogger(RtspPull.class);
    /** The option that chooses UDP ("0") over TCP interleaved ("1", the default), as EMS's pullStream names it. */
    public static final String FORCE_TCP = "forceTcp";
    /** The option that tunnels the session over HTTP: {@code self} or an HTTP proxy's {@code host:port}. */
    public static final String HTTP_PROXY = "httpProxy";
    /** The options an RTSP pull takes. */
    public static final java.util.List<String> OPTIONS = java.util.List.of(FORCE_TCP, HTTP_PROXY);

    private final Vertx vertx;
    private final NetClient client;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final RtspClientUrl url;
    private final UdpPortPool udpPorts;
    private final long rtcpWaitMs;
    private final RelayAttempts attempts;
    private RtspClientConnection connection;
    private RtpToFrames toFrames;
    private PulledStream stream;

    /**
     * @param udpPorts   where UDP port pairs come from when the relay asks for UDP (forceTcp=0)
     * @param rtcpWaitMs how long to wait for RTCP sender reports to align the tracks ({@code rtsp.rtcp.wait.ms})
     * @throws IllegalArgumentException when the relay's URI is no usable rtsp:// URL
     */
    public RtspPull(Vertx vertx, NetClient client, Admission admission, NodeCounters counters, UdpPortPool udpPorts,
                    long rtcpWaitMs, RelayConfig config) {
        this.vertx = vertx;
        this.client = client;
        this.admission = admission;
        this.counters = counters.protocol(RtspServer.PROTOCOL);
        this.config = config;
        this.url = validate(config);
        this.udpPorts = udp(config) ? udpPorts : null;
        this.rtcpWaitMs = rtcpWaitMs;
        this.attempts = new RelayAttempts(vertx, config, "pull " + config.id() + " (" + config.localStreamName()
                + " from " + url.redacted() + ")", counters.relayAttempts, this::connect);
    }

    /**
     * The relay's URL, once its options agree with each other.
     *
     * @throws IllegalArgumentException for no usable rtsp:// URL, or UDP asked for through an HTTP tunnel
     */
    public static RtspClientUrl validate(RelayConfig config) {
        RtspClientUrl parsed = RtspClientUrl.parse(config.uri());
        String forceTcp = config.option(FORCE_TCP);
        if (!forceTcp.isEmpty() && !forceTcp.equals("0") && !forceTcp.equals("1")) {
            throw new IllegalArgumentException("forceTcp must be 0 or 1");
        }
        if (!config.option(HTTP_PROXY).isEmpty()) {
            RtspHttpTunnel.validate(config.option(HTTP_PROXY));
        }
        if (!config.option(HTTP_PROXY).isEmpty() && udp(config)) {
            throw new IllegalArgumentException("httpProxy carries RTP over TCP only; it cannot go with forceTcp=0");
        }
        return parsed;
    }

    /** Whether the relay asks for RTP over UDP. */
    public static boolean udp(RelayConfig config) {
        return config.option(FORCE_TCP).equals("0");
    }

    /** Makes the first attempt. */
    public RtspPull start() {
        attempts.start();
        return this;
    }

    private void connect() {
        toFrames = null;
        connection = RtspClientConnection.open(vertx, client, url, udpPorts, config.option(HTTP_PROXY), counters,
                new RtspClientConnection.Handler() {
                    @Override
                    public void onPlaying(RtspClientConnection c, List<RtspClientSession.PlayTrack> tracks) {
                        playing(c, tracks);
                    }

                    @Override
                    public void onPacket(int track, boolean rtcp, byte[] data, int offset, int length) {
                        if (toFrames != null) {
                            if (rtcp) {
                                toFrames.rtcp(track, data, offset, length);
                            } else {
                                toFrames.rtp(track, data, offset, length);
                            }
                        }
                    }

                    @Override
                    public void onClosed(String reason) {
                        ended(reason);
                    }
                });
    }

    /** The same conversion a RECORD gets: reordering only over UDP, where packets can arrive out of order. */
    private void playing(RtspClientConnection c, List<RtspClientSession.PlayTrack> tracks) {
        List<RtpToFrames.Track> read = tracks.stream().map(RtspClientSession.PlayTrack::track).toList();
        PulledStream pulled = PulledStream.overConnection(admission, config, RtspServer.PROTOCOL, url.redacted(),
                "pull " + config.id() + " from " + url.redacted() + " over " + transport(c), attempts, c);
        stream = pulled;
        toFrames = new RtpToFrames(read, !c.tcp(), rtcpWaitMs, new RtpToFrames.Sink() {
            @Override
            public void frame(MediaFrame frame) {
                pulled.publish(frame);
            }

            @Override
            public void skipped(RtpToFrames.Skip why, String detail) {
                pulled.skipped(why == RtpToFrames.Skip.DAMAGED ? Publication.Skip.DAMAGED
                        : Publication.Skip.UNSUPPORTED_CODEC, detail);
            }
        });
        StringBuilder codecs = new StringBuilder();
        for (RtpToFrames.Track t : read) {
            codecs.append(codecs.isEmpty() ? "" : " + ").append(t.codec());
        }
        log.info("pull {} ({} from {}): playing over {}, {}", config.id(), config.localStreamName(), url.redacted(),
                transport(c), codecs);
    }

    /** How RTP comes: what logs and the publication's description say. */
    private String transport(RtspClientConnection c) {
        if (!config.option(HTTP_PROXY).isEmpty()) {
            return config.option(HTTP_PROXY).equalsIgnoreCase("self") ? "HTTP (tunnelled)" : "HTTP (tunnelled via a proxy)";
        }
        return c.tcp() ? "TCP" : "UDP";
    }

    private void ended(String reason) {
        // not flushed: the reorder window's last 200 ms matter little at the end of a pull, and the end may be the
        // node's own shutdown, when nothing can be published any more
        toFrames = null;
        if (stream != null) {
            stream.close(connection == null ? 0 : connection.bytesIn());
            stream = null;
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
}
