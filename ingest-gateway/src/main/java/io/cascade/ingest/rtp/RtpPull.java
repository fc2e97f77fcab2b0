package io.cascade.ingest.rtp;

import io.cascade.ingest.Admission;
import io.cascade.ingest.PulledStream;
import io.cascade.ingest.Publication;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtp.frames.RawRtpTrack;
import io.cascade.protocol.rtp.frames.RtpToFrames;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.relay.LiteralAddress;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;

/**
 * A pull of raw RTP (EMS's {@code rtp://host:port} with {@code isAudio}, {@code spsBytes}, {@code ppsBytes},
 * {@code audioCodecBytes}): one track, no SDP and no RTSP, packets to a UDP port of this node (a multicast group's
 * when the host is one). The stream is published as a {@link PulledStream} (claimed with its first frame) and ends
 * after {@link #SILENCE_MS} without a packet; the next packet starts it again, for as long as the relay runs.
 *
 * <p>The packets' payload type is taken from the first one: a raw stream announces none, and senders pick their own
 * dynamic type (ffmpeg 96 for video and 97 for audio).
 */
public final class RtpPull implements Relay {
    private static final Logger log = LoggerFactory.getLogger(RtpPull.class);
    public static final String PROTOCOL = "rtp";
    /** The options a raw RTP pull takes, as EMS names them: what its one track carries. */
    public static final List<String> OPTIONS = List.of("isAudio", "spsBytes", "ppsBytes", "audioCodecBytes");
    /** A live RTP stream sends packets every few ms; this long without one means its sender stopped. */
    public static final long SILENCE_MS = 10_000;
    /** The socket's receive buffer: a second of a 16 Mbit/s stream, so a busy event loop loses nothing. */
    static final int RECEIVE_BUFFER_BYTES = 2 << 20;

    /** What a relay's URI and options say of its packets, checked before the relay is stored. */
    public record Source(String host, int port, boolean multicast, boolean audio) {
    }

    private final Vertx vertx;
    private final Context context;
    private final Admission admission;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final Source source;
    private final RelayStatus status;
    private DatagramSocket socket;
    private RtpToFrames converter;
    /** What the packets publish now; null between a silence and the next packet. */
    private PulledStream stream;
    private boolean stopped;
    private long lastPacketNanos;
    /** After a refusal, packets are ignored until then (the backoff's wait), not asked about one by one. */
    private long refusedUntilNanos = System.nanoTime();
    private long timer = -1;

    /** @throws IllegalArgumentException when the URI or the track's parameters are unusable */
    public RtpPull(Vertx vertx, Admission admission, NodeCounters counters, RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.admission = admission;
        this.counters = counters.protocol(PROTOCOL);
        this.config = config;
        this.source = source(config);
        this.status = new RelayStatus(counters.relayAttempts);
    }

    /**
     * The port and address of an {@code rtp://} relay, with its track checked.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Source source(RelayConfig config) {
        URI uri;
        try {
            uri = new URI(config.uri());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("an rtp:// URL names a host (a local address or a multicast group) and"
                    + " a port: rtp://0.0.0.0:5004");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        if (!LiteralAddress.is(host)) {
            throw new IllegalArgumentException("the host of an rtp:// URL is an address to listen on or a multicast"
                    + " group, written as numbers: " + uri.getHost());
        }
        boolean multicast = LiteralAddress.isMulticast(host);
        String isAudio = config.option("isAudio");
        if (!isAudio.isEmpty() && !isAudio.equals("0") && !isAudio.equals("1")) {
            throw new IllegalArgumentException("isAudio must be 0 or 1");
        }
        Source s = new Source(host, uri.getPort(), multicast, isAudio.equals("1"));
        try {
            track(config, s, 96);
        } catch (SdpException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return s;
    }

    private static RtpToFrames.Track track(RelayConfig config, Source s, int payloadType) throws SdpException {
        return s.audio() ? RawRtpTrack.audio(payloadType, config.option("audioCodecBytes"))
                : RawRtpTrack.video(payloadType, config.option("spsBytes"), config.option("ppsBytes"));
    }

    public RtpPull start() {
        context.runOnContext(v -> listen());
        return this;
    }

    private void listen() {
        if (stopped) {
            return;
        }
        status.connecting();
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(source.multicast())
                .setReceiveBufferSize(RECEIVE_BUFFER_BYTES).setIpV6(source.host().contains(":")));
        s.handler(packet -> onPacket(packet.data()));
        s.listen(source.port(), source.multicast() ? "0.0.0.0" : source.host())
                .compose(bound -> source.multicast() ? bound.listenMulticastGroup(source.host()).map(bound)
                        : io.vertx.core.Future.succeededFuture(bound))
                .onComplete(bound -> {
                    if (bound.failed()) {
                        s.close();
                        long wait = status.ended("cannot listen on " + source.host() + ":" + source.port() + ": "
                                + bound.cause().getMessage());
                        log.warn("rtp pull {}: cannot listen on {}:{} ({}); again in {} ms", config.id(),
                                source.host(), source.port(), bound.cause().getMessage(), wait);
                        timer = vertx.setTimer(wait, id -> listen());
                        return;
                    }
                    if (stopped) {
                        s.close();
                        return;
                    }
                    socket = s;
                    log.info("rtp pull {}: listening on {}:{} for {} ({})", config.id(), source.host(), source.port(),
                            config.localStreamName(), source.audio() ? "AAC" : "H.264");
                    timer = vertx.setPeriodic(1_000, id -> checkSilence());
                });
    }

    private void onPacket(Buffer packet) {
        if (stopped) {
            return;
        }
        lastPacketNanos = System.nanoTime();
        byte[] data = packet.getBytes();
        counters.bytesIn.add(data.length);
        if (converter == null) {
            if (data.length < 12 || System.nanoTime() - refusedUntilNanos < 0) {
                // not RTP (its payload type is unknown), or admission refused the last try: the backoff's wait first
                return;
            }
            try {
                converter = converter(data[1] & 0x7F);
            } catch (SdpException e) {
                return; // checked when the relay was added: cannot happen
            }
        }
        converter.rtp(source.audio() ? RtpToFrames.AUDIO_TRACK : RtpToFrames.VIDEO_TRACK, data, 0, data.length);
    }

    /** A new publish: the packets' own payload type, and a stream claimed with its first frame. */
    private RtpToFrames converter(int payloadType) throws SdpException {
        RtpToFrames.Track track = track(config, source, payloadType);
        PulledStream pulled = new PulledStream(admission, config.localStreamName(), PROTOCOL,
                "rtp pull " + source.host() + ":" + source.port(), "rtp pull " + config.id() + " on :" + source.port(),
                () -> context.runOnContext(v -> endPublication("ended by this node")), new PulledStream.Events() {
                    @Override
                    public void admitted() {
                        status.running();
                    }

                    @Override
                    public void refused(String reason) {
                        refusedUntilNanos = System.nanoTime() + status.ended(reason) * 1_000_000;
                        endPublication(reason); // the packets after the wait ask again
                    }
                });
        stream = pulled;
        return new RtpToFrames(List.of(track), true, 0, new RtpToFrames.Sink() {
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
    }

    private void checkSilence() {
        if (stream != null && System.nanoTime() - lastPacketNanos > SILENCE_MS * 1_000_000) {
            endPublication("no packet for " + SILENCE_MS / 1000 + " s");
        }
    }

    private void endPublication(String reason) {
        if (stream != null) {
            if (stream.live()) {
                status.ended(reason);
                log.info("rtp pull {} ({}): {}", config.id(), config.localStreamName(), reason);
            }
            stream.close(0);
            stream = null;
        }
        converter = null; // the next packets start over: a new sender may pick another payload type
    }

    @Override
    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            vertx.cancelTimer(timer);
            endPublication("stopped");
            if (socket != null) {
                socket.close();
            }
            status.stopped();
        });
    }

    @Override
    public JsonObject status() {
        return status.toJson();
    }
}
