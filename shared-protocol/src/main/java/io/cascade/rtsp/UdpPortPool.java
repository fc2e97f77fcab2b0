package io.cascade.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.BitSet;

/**
 * The UDP ports RTSP's UDP transports use, from the range the operator opened in the firewall: RTP on an even port,
 * RTCP on the next (RFC 3550 11). Pairs are handed out round-robin, so a port just released is not reused at once by
 * a different session (late packets of the old one would land in the new one). Thread-safe.
 *
 * <p>The sockets are Netty channels on the event loop of the connection that opens them, so datagrams arrive on the
 * thread that owns the session, and addresses are never looked up by name: the bind address is resolved once here,
 * client addresses are the connection's peer.
 */
public final class UdpPortPool {
    /** What a pair's sockets deliver, on the pair's event loop; {@code data} is valid only during the call. */
    public interface Receiver {
        void datagram(boolean rtcp, ByteBuf data, InetSocketAddress sender);
    }

    /** A bound RTP/RTCP pair; {@link #close()} gives its ports back. */
    public final class Pair {
        private final int port;
        private final Channel rtp;
        private final Channel rtcp;
        private volatile Receiver receiver = (rtcp, data, sender) -> { };

        Pair(int port, Channel rtp, Channel rtcp) {
            this.port = port;
            this.rtp = rtp;
            this.rtcp = rtcp;
        }

        public int rtpPort() {
            return port;
        }

        public int rtcpPort() {
            return port + 1;
        }

        /** Where datagrams arriving on either socket go from now on (before: dropped). */
        public void receive(Receiver r) {
            receiver = r;
        }

        /**
         * Queues a datagram from the RTP socket without flushing. The bytes may be shared with other writers: they
         * are sent through a view that the write does not release.
         */
        public void write(ByteBuf bytes, InetSocketAddress to) {
            rtp.write(new DatagramPacket(Unpooled.unreleasableBuffer(bytes), to), rtp.voidPromise());
        }

        /**
         * False while more than {@link #SEND_QUEUE_BYTES} wait to be sent: a datagram socket's queue grows like any
         * other when the kernel cannot take more, so its players then skip frames like slow TCP players.
         */
        public boolean writable() {
            return rtp.isWritable();
        }

        /** Sends what {@link #write} queued. */
        public void flush() {
            rtp.flush();
        }

        public void close() {
            rtp.close();
            rtcp.close();
            release(port);
        }

        private void deliver(boolean isRtcp, DatagramPacket packet) {
            receiver.datagram(isRtcp, packet.content(), packet.sender());
        }
    }

    /** Receive buffer of each socket: a publisher's burst of a large keyframe must not be dropped by the kernel. */
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;
    /** Bytes queued on a pair's RTP socket before it counts as full (below half of it, writable again). */
    static final int SEND_QUEUE_BYTES = 1 << 20;
    /** Largest datagram read: RTP over UDP stays under the path MTU, but a sender may fragment up to this. */
    static final int MAX_DATAGRAM_BYTES = 65_535;

    private final int first;
    private final int last;
    private final InetAddress bindAddress;
    private final BitSet used = new BitSet();
    private int next;

    /**
     * @param first the lowest port (even); {@code last} the highest RTCP port
     * @param host  the address to bind, an IP literal or a name resolved once now
     */
    public UdpPortPool(int first, int last, String host) {
        checkRange(first, last);
        this.first = first;
        this.last = last;
        this.next = first;
        try {
            this.bindAddress = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot bind UDP to " + host + ": " + e.getMessage());
        }
    }

    /** Throws IllegalArgumentException unless first is even and positive and last is above it and a port. */
    public static void checkRange(int first, int last) {
        if (first <= 0 || first % 2 != 0 || last > 65535 || last < first + 1) {
            throw new IllegalArgumentException("UDP port range must be an even first port and a higher last port: "
                    + first + "-" + last);
        }
    }

    /** How many pairs the range holds. */
    public int pairs() {
        return (last - first + 1) / 2;
    }

    /**
     * Binds the next free pair, on {@code context}'s event loop; fails when every pair of the range is taken or will
     * not bind. Completes on that event loop.
     */
    public Future<Pair> open(Context context) {
        return tryOpen((ContextInternal) context, pairs());
    }

    private Future<Pair> tryOpen(ContextInternal context, int attemptsLeft) {
        int port = attemptsLeft == 0 ? -1 : reserve();
        if (port < 0) {
            return Future.failedFuture("no free UDP port pair in " + first + "-" + last);
        }
        Promise<Pair> bound = context.promise();
        Pair[] pair = new Pair[1];
        Channel rtp = bind(context, port, packet -> pair[0].deliver(false, packet));
        Channel rtcp = bind(context, port + 1, packet -> pair[0].deliver(true, packet));
        pair[0] = new Pair(port, rtp, rtcp);
        context.nettyEventLoop().execute(() -> {
            ChannelFuture a = rtp.bind(new InetSocketAddress(bindAddress, port));
            ChannelFuture b = rtcp.bind(new InetSocketAddress(bindAddress, port + 1));
            a.addListener(x -> b.addListener(y -> {
                if (a.isSuccess() && b.isSuccess()) {
                    bound.complete(pair[0]);
                } else {
                    rtp.close();
                    rtcp.close();
                    bound.fail("taken");
                }
            }));
        });
        return bound.future().recover(taken -> {
            // taken by another program: leave it marked until the pool wraps round, try the next pair
            Future<Pair> again = tryOpen(context, attemptsLeft - 1);
            again.onComplete(r -> release(port));
            return again;
        });
    }

    private static Channel bind(ContextInternal context, int port, java.util.function.Consumer<DatagramPacket> in) {
        VertxInternal vertx = context.owner();
        DatagramChannel channel = vertx.transport().datagramChannel();
        channel.config().setOption(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(SEND_QUEUE_BYTES / 2, SEND_QUEUE_BYTES));
        channel.config().setOption(ChannelOption.RCVBUF_ALLOCATOR,
                new io.netty.channel.FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES));
        channel.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                in.accept(packet); // released by SimpleChannelInboundHandler after the call
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // an ICMP unreachable from a player that left, or the like: the socket stays
            }
        });
        context.nettyEventLoop().register(channel);
        return channel;
    }

    private synchronized int reserve() {
        int pairs = pairs();
        for (int i = 0; i < pairs; i++) {
            int port = next;
            next += 2;
            if (next + 1 > last) {
                next = first;
            }
            if (!used.get(port - first)) {
                used.set(port - first);
                return port;
            }
        }
        return -1;
    }

    private synchronized void release(int port) {
        used.clear(port - first);
    }
}
