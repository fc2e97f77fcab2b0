package io.cascade.edge.ts;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.PushOutput;
import io.cascade.edge.fanout.Viewer;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.ts.TsContinuity;
import io.cascade.protocol.ts.TsStreamMuxer;
import io.cascade.relay.LiteralAddress;
import io.cascade.relay.Relay;
import io.cascade.relay.RelayAttempts;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayConnection;
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
 * longer each time ({@link RelayAttempts}). Runs on one event loop.
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
    private final Playback playback;
    private final NodeCounters.ProtocolCounters counters;
    private final RelayConfig config;
    private final TsUdpTarget target;
    private final RelayAttempts attempts;
    private final LongAdder datagramsSent = new LongAdder();
    private final LongAdder datagramsDropped = new LongAdder();
    private final RateLimitedLog dropLog = new RateLimitedLog(log);
    private UdpConnection connection;
    private Viewer viewer;
    private boolean opening;

    /** @throws IllegalArgumentException when the relay's URI is no usable mpegtsudp:// URI */
    public TsUdpPush(Vertx vertx, Playback playback, NodeCounters counters, RelayConfig config) {
        this.vertx = vertx;
        this.playback = playback;
        this.counters = counters.protocol(PROTOCOL);
        this.config = config;
        this.target = target(config);
        this.attempts = new RelayAttempts(vertx, config, "push " + config.id() + " (" + config.localStreamName()
                + " to " + target.describe() + ")", counters.relayAttempts, this::open);
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
        attempts.start();
        return this;
    }

    /** Resolves the target (a host name may need DNS: off the event loop) and opens the socket, then plays. */
    private void open() {
        opening = true;
        vertx.executeBlocking(this::openChannel, false).onComplete(opened -> {
            opening = false;
            if (opened.failed()) {
                attempts.ended("cannot send to " + target.describe() + ": " + opened.cause().getMessage());
                return;
            }
            if (attempts.stopped()) {
                closeQuietly(opened.result().channel());
                attempts.ended("stopped");
                return;
            }
            connection = opened.result();
            viewer = playback.relay(config.localStreamName(), PROTOCOL, TsUdpPush::sharedEncoder,
                    new Output(connection));
        });
    }

    private UdpConnection openChannel() throws IOException {
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
            return new UdpConnection(ch, new InetSocketAddress(address, target.port()));
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
        NetworkInterface byAddress = LiteralAddress.is(nameOrAddress)
                ? NetworkInterface.getByInetAddress(InetAddress.getByName(nameOrAddress)) : null;
        if (byAddress == null) {
            throw new SocketException("no network interface " + nameOrAddress);
        }
        return byAddress;
    }

    /** The attempt ends: the viewer leaves the stream, the socket closes, and with keepAlive the next one follows. */
    private void ended(UdpConnection ending, String reason) {
        if (ending != connection) {
            return; // an end told twice (the viewer's close, then the fan-out's own)
        }
        connection = null;
        if (viewer != null) {
            viewer.close();
            viewer = null;
        }
        closeQuietly(ending.channel());
        attempts.ended(reason);
    }

    @Override
    public void stop() {
        attempts.stop(() -> {
            if (connection != null) {
                connection.close("stopped");
                return true;
            }
            return opening; // a socket on its way: its opening ends the attempt
        });
    }

    @Override
    public JsonObject status() {
        return attempts.status().put("datagramsSent", datagramsSent.sum())
                .put("datagramsDropped", datagramsDropped.sum());
    }

    private static void closeQuietly(DatagramChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("udp close: {}", e.toString());
        }
    }

    /**
     * The push's socket as a relay connection: transport packets are copied into datagrams of {@code pkt_size}, each
     * with this push's continuity counter. A full datagram leaves at once; the last, shorter one of a batch of frames
     * at the flush that ends the event loop's turn, as ffmpeg flushes each frame. Nothing waits: a datagram the kernel
     * takes no room for is dropped, and the connection says it is full until that flush.
     */
    private final class UdpConnection implements RelayConnection {
        private final DatagramChannel channel;
        private final InetSocketAddress to;
        private final ByteBuffer datagram = ByteBuffer.allocateDirect(target.packetSize());
        private final TsContinuity continuity = new TsContinuity();
        private boolean full;
        private String lastError = "";

        UdpConnection(DatagramChannel channel, InetSocketAddress to) {
            this.channel = channel;
            this.to = to;
        }

        DatagramChannel channel() {
            return channel;
        }

        @Override
        public Context context() {
            return attempts.context();
        }

        @Override
        public boolean writeQueueFull() {
            return full;
        }

        /** Whole transport packets, read through a view (the bytes are shared with the stream's other pushes). */
        @Override
        public void queueMedia(ByteBuf packets) {
            int packet = TsStreamMuxer.PACKET_SIZE;
            int end = packets.writerIndex();
            for (int p = packets.readerIndex(); p + packet <= end; p += packet) {
                int at = datagram.position();
                datagram.limit(at + packet);
                packets.getBytes(p, datagram); // the counter is set in our copy, never in the shared bytes
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
                sent = channel.send(datagram, to);
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
            full = false;
        }

        /** TS over UDP has no end to send: closing is ending the attempt. */
        @Override
        public void close(String reason) {
            ended(this, reason);
        }

        @Override
        public void abort(String reason) {
            ended(this, lastError.isEmpty() ? reason : reason + " (" + lastError + ")");
        }
    }

    /**
     * The target as a viewer's output: from the first live keyframe on (the GOP cache a player gets first is left
     * out), each frame's packets, led by the PAT and PMT when this push is due to send them again.
     */
    private final class Output extends PushOutput {
        private final UdpConnection udp;
        /** From the start of a play (or a republish) to its first flush: what is written is the GOP cache. */
        private boolean snapshot;
        /** Until the first random-access frame after the GOP cache: the receiver needs a keyframe to start. */
        private boolean keyframeNeeded;

        Output(UdpConnection udp) {
            super(udp, "push " + config.id() + " to " + target.describe(), () -> {
                attempts.running();
                log.info("push {}: {} is going to {}", config.id(), config.localStreamName(), target.describe());
            });
            this.udp = udp;
        }

        @Override
        public void startPlaying() {
            snapshot = true;
            keyframeNeeded = true;
            super.startPlaying();
        }

        @Override
        public void write(EncodedFrame frame) {
            if (snapshot || keyframeNeeded && !frame.randomAccess()) {
                return;
            }
            keyframeNeeded = false;
            MediaFrame f = frame.frame();
            boolean psi = udp.continuity.psiDue(frame.timestampMillis(),
                    f.trackType() == TrackType.VIDEO && f.isKeyframe());
            ByteBuf bytes = frame.bytes();
            int skip = psi ? 0 : TsStreamMuxer.PSI_PACKETS * TsStreamMuxer.PACKET_SIZE;
            udp.queueMedia(bytes.slice(bytes.readerIndex() + skip, bytes.readableBytes() - skip));
        }

        @Override
        public void flush() {
            super.flush();
            snapshot = false;
        }

        @Override
        public void republished() {
            snapshot = true;
            keyframeNeeded = true;
        }
    }
}
