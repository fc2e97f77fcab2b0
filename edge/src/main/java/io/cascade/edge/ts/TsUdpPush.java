package io.cascade.edge.ts;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.ts.TsContinuity;
import io.cascade.protocol.ts.TsStreamMuxer;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayStatus;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@code mpegtsudp://} push: one of our streams as a continuous MPEG transport stream in UDP datagrams, to one
 * receiver or a multicast group. To the stream it is a viewer like any other ({@link Playback#relay}): the frames are
 * muxed once per stream on this node ({@link TsStreamMuxer}) and shared by every push of it; only the continuity
 * counters and the repeats of the PAT and PMT are this push's own ({@link TsContinuity}), set as the packets are
 * copied into its datagrams.
 *
 * <p>It starts at the first live keyframe, not with the GOP cache a player gets: UDP has no flow control, and a GOP sent
 * at once would overflow a hardware receiver's buffer and its clock recovery. Nothing is queued: each datagram is sent
 * on a non-blocking socket as soon as it is full, and one the kernel has no room for is dropped and counted; the rest of
 * its frame is dropped with it, and the push skips to the next keyframe (the fan-out's slow-viewer rule, which also ends
 * a push that cannot send for {@code viewer.max.behind.ms}). With keepAlive it starts again after every end, waiting
 * longer each time. Runs on one event loop.
 */
public final class TsUdpPush implements Relay {
    private static final Logger log = LoggerFactory.getLogger(TsUdpPush.class);
    /** The protocol's name in metrics and logs: MPEG-TS, as TS publishers count. */
    public static final String PROTOCOL = "ts";
    /**
     * Kernel send buffer asked for: a keyframe of a high-bitrate stream leaves in one burst, which the default (about
     * 200 KB) may not hold while a NIC drains it. The kernel caps it at net.core.wmem_max.
     */
    static final int SEND_BUFFER_BYTES = 4 << 20;

    private final Vertx vertx;
    private final Context context;
    private final Playback playback;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final TsUdpTarget target;
    private final RelayStatus status;
    private final LongAdder datagramsSent = new LongAdder();
    private final LongAdder datagramsDropped = new LongAdder();
    private final RateLimitedLog dropLog = new RateLimitedLog(log);
    private DatagramChannel channel;
    private Viewer viewer;
    private long retryTimer = -1;
    private boolean stopped;

    /** @throws IllegalArgumentException when the relay's URI is no usable mpegtsudp:// URI */
    public TsUdpPush(Vertx vertx, Playback playback, NodeCounters counters, RelayConfig config) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.playback = playback;
        this.counters = counters.protocol(PROTOCOL);
        this.status = new RelayStatus(counters.relayAttempts);
        this.config = config;
        this.target = target(config);
    }

    /** @throws IllegalArgumentException when the URI is no usable mpegtsudp:// URI, or a target name is given */
    public static TsUdpTarget target(RelayConfig config) {
        if (!config.targetStreamName().isEmpty()) {
            throw new IllegalArgumentException("targetStreamName has no meaning for " + TsUdpTarget.SCHEME
                    + "://: a transport stream carries no name");
        }
        return TsUdpTarget.parse(config.uri());
    }

    /** What every TS push of a stream on this node shares: its frames muxed once. */
    static FrameEncoder sharedEncoder() {
        TsStreamMuxer muxer = new TsStreamMuxer();
        return new FrameEncoder() {
            @Override
            public byte[] encode(MediaFrame frame, long timestampMillis) {
                return muxer.mux(frame, timestampMillis);
            }

            @Override
            public void publishEnded() {
                muxer.reset();
            }
        };
    }

    public TsUdpPush start() {
        context.runOnContext(v -> open());
        return this;
    }

    /** Resolves the target (a host name may need DNS: off the event loop) and opens the socket, then plays. */
    private void open() {
        if (stopped) {
            return;
        }
        status.connecting();
        vertx.executeBlocking(this::openChannel, false).onComplete(opened -> {
            if (opened.failed()) {
                ended("cannot send to " + target.describe() + ": " + opened.cause().getMessage());
                return;
            }
            Sender sender = opened.result();
            if (stopped) {
                sender.close();
                status.stopped();
                return;
            }
            channel = sender.channel;
            viewer = playback.relay(config.localStreamName(), PROTOCOL, TsUdpPush::sharedEncoder,
                    new Output(sender));
        });
    }

    private Sender openChannel() throws IOException {
        InetAddress address = InetAddress.getByName(target.host());
        DatagramChannel ch = DatagramChannel.open(address instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
            if (address.isMulticastAddress()) {
                ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, target.ttl());
                if (!target.iface().isEmpty()) {
                    ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface(target.iface()));
                }
            }
            return new Sender(ch, new InetSocketAddress(address, target.port()));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static NetworkInterface networkInterface(String nameOrAddress) throws IOException {
        NetworkInterface byName = NetworkInterface.getByName(nameOrAddress);
        if (byName != null) {
            return byName;
        }
        NetworkInterface byAddress = TsUdpTarget.isLiteral(nameOrAddress)
                ? NetworkInterface.getByInetAddress(InetAddress.getByName(nameOrAddress)) : null;
        if (byAddress == null) {
            throw new SocketException("no network interface " + nameOrAddress);
        }
        return byAddress;
    }

    private void ended(String reason) {
        if (viewer != null) {
            viewer.close();
            viewer = null;
        }
        if (channel != null) {
            closeQuietly(channel);
            channel = null;
        }
        if (stopped) {
            status.stopped();
            return;
        }
        long wait = status.ended(reason);
        if (!config.keepAlive()) {
            log.info("push {} ({} to {}) ended: {}", config.id(), config.localStreamName(), target.describe(), reason);
            status.stopped();
            return;
        }
        log.info("push {} ({} to {}) ended: {}; attempt {} in {} ms", config.id(), config.localStreamName(),
                target.describe(), reason, status.attempts() + 1, wait);
        retryTimer = vertx.setTimer(wait, id -> {
            retryTimer = -1;
            open();
        });
    }

    @Override
    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            vertx.cancelTimer(retryTimer);
            ended("stopped");
        });
    }

    @Override
    public JsonObject status() {
        return status.toJson().put("datagramsSent", datagramsSent.sum()).put("datagramsDropped", datagramsDropped.sum());
    }

    private static void closeQuietly(DatagramChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("udp close: {}", e.toString());
        }
    }

    /** The socket and where it sends. */
    private record Sender(DatagramChannel channel, InetSocketAddress to) {
        void close() {
            closeQuietly(channel);
        }
    }

    /**
     * The target as a viewer's output: each frame's packets are copied into datagrams of {@code pkt_size}, with this
     * push's continuity counters, and the PAT and PMT when due. A full datagram leaves at once; the last, shorter
     * one of a batch of frames at the flush that ends the event loop's turn, as ffmpeg flushes each frame.
     */
    private final class Output implements ViewerOutput {
        private final Sender sender;
        private final ByteBuffer datagram;
        private final TsContinuity continuity = new TsContinuity();
        /** From the start of a play (or a republish) to its first flush: what is written is the GOP cache. */
        private boolean snapshot;
        /** Until the first random-access frame after the GOP cache: the receiver needs a keyframe to start. */
        private boolean keyframeNeeded;
        /** A datagram found no room since the last flush: the viewer skips to the next keyframe. */
        private boolean full;
        private String lastError = "";

        Output(Sender sender) {
            this.sender = sender;
            this.datagram = ByteBuffer.allocateDirect(target.packetSize());
        }

        @Override
        public Context context() {
            return context;
        }

        @Override
        public String peer() {
            return "push " + config.id() + " to " + target.describe();
        }

        @Override
        public void startPlaying() {
            snapshot = true;
            keyframeNeeded = true;
            status.running();
            log.info("push {}: {} is going to {}", config.id(), config.localStreamName(), target.describe());
        }

        @Override
        public boolean writeQueueFull() {
            return full;
        }

        @Override
        public void write(EncodedFrame frame) {
            if (snapshot || keyframeNeeded && !frame.randomAccess()) {
                return;
            }
            keyframeNeeded = false;
            MediaFrame f = frame.frame();
            boolean psi = continuity.psiDue(frame.timestampMillis(), f.trackType() == TrackType.VIDEO && f.isKeyframe());
            ByteBuf bytes = frame.bytes();
            int start = bytes.readerIndex();
            int end = bytes.writerIndex();
            int packet = TsStreamMuxer.PACKET_SIZE;
            for (int p = start + (psi ? 0 : TsStreamMuxer.PSI_PACKETS * packet); p + packet <= end; p += packet) {
                int at = datagram.position();
                datagram.limit(at + packet);
                bytes.getBytes(p, datagram); // the shared bytes are only read: the counter is set in our copy
                datagram.limit(datagram.capacity());
                continuity.stamp(datagram, at);
                if (!datagram.hasRemaining() && !send()) {
                    return; // the rest of a frame that lost a datagram is no use to the receiver
                }
            }
        }

        /** Sends the datagram gathered so far; false when it was dropped. */
        private boolean send() {
            datagram.flip();
            int length = datagram.remaining();
            int sent;
            try {
                sent = sender.channel().send(datagram, sender.to());
            } catch (IOException e) {
                sent = 0;
                lastError = e.getMessage();
            }
            datagram.clear();
            if (sent == length) {
                datagramsSent.increment();
                counters.bytesOut.add(length);
                return true;
            }
            datagramsDropped.increment();
            full = true;
            dropLog.warn("push {} to {}: a datagram was dropped ({})", config.id(), target.describe(),
                    lastError.isEmpty() ? "the socket's send buffer is full" : lastError);
            return false;
        }

        @Override
        public void flush() {
            if (datagram.position() > 0) {
                send();
            }
            snapshot = false;
            full = false;
        }

        @Override
        public void disconnect() {
            ended(lastError.isEmpty() ? "the network took the stream too slowly" : "sending failed: " + lastError);
        }

        @Override
        public void notFound() {
            ended(config.localStreamName() + " is not live here");
        }

        @Override
        public void unauthorised() {
            ended("unauthorised"); // a relay asks no authorisation; kept for the interface's sake
        }

        @Override
        public void goingAway() {
            ended("this node is going out of service");
        }

        @Override
        public void unpublished() {
            // the receiver keeps getting our stream once our publisher is back: the fan-out rebases its timestamps
        }

        @Override
        public void republished() {
            snapshot = true;
            keyframeNeeded = true;
        }
    }
}
