package io.cascade.rtsp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.util.BitSet;

/**
 * The UDP ports RTSP's UDP transports use, from the range the operator opened in the firewall: RTP on an even port,
 * RTCP on the next (RFC 3550 11). Pairs are handed out round-robin, so a port just released is not reused at once by
 * a different session (late packets of the old one would land in the new one). Thread-safe.
 */
public final class UdpPortPool {
    /** A bound RTP/RTCP pair; {@link #close()} gives its ports back. */
    public final class Pair {
        private final int port;
        private final DatagramSocket rtp;
        private final DatagramSocket rtcp;

        Pair(int port, DatagramSocket rtp, DatagramSocket rtcp) {
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

        public DatagramSocket rtp() {
            return rtp;
        }

        public DatagramSocket rtcp() {
            return rtcp;
        }

        public void close() {
            rtp.close();
            rtcp.close();
            release(port);
        }
    }

    /** Receive buffer of each socket: a publisher's burst of a large keyframe must not be dropped by the kernel. */
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;

    private final int first;
    private final int last;
    private final BitSet used = new BitSet();
    private int next;

    /** @param first the lowest port (even); {@code last} the highest RTCP port */
    public UdpPortPool(int first, int last) {
        if (first <= 0 || first % 2 != 0 || last > 65535 || last < first + 1) {
            throw new IllegalArgumentException("UDP port range must be an even first port and a higher last port: "
                    + first + "-" + last);
        }
        this.first = first;
        this.last = last;
        this.next = first;
    }

    /** How many pairs the range holds. */
    public int pairs() {
        return (last - first + 1) / 2;
    }

    /** Binds the next free pair on {@code host}; fails when every pair of the range is taken or will not bind. */
    public Future<Pair> open(Vertx vertx, String host) {
        return tryOpen(vertx, host, pairs());
    }

    private Future<Pair> tryOpen(Vertx vertx, String host, int attemptsLeft) {
        int port = reserve();
        if (port < 0 || attemptsLeft == 0) {
            if (port >= 0) {
                release(port);
            }
            return Future.failedFuture("no free UDP port pair in " + first + "-" + last);
        }
        DatagramSocketOptions options = new DatagramSocketOptions().setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
        DatagramSocket rtp = vertx.createDatagramSocket(options);
        DatagramSocket rtcp = vertx.createDatagramSocket(options);
        return rtp.listen(port, host).compose(a -> rtcp.listen(port + 1, host))
                .map(b -> new Pair(port, rtp, rtcp))
                .recover(failed -> {
                    rtp.close();
                    rtcp.close();
                    // taken by another program: leave it marked until the pool wraps round, try the next pair
                    return tryOpen(vertx, host, attemptsLeft - 1).onComplete(r -> release(port));
                });
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
