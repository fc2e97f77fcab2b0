package io.cascade.ingest.ts;

import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Collections;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Receives the datagrams of one UDP listener on a thread of its own and hands them to an event loop, as many as have
 * arrived by the time it runs.
 *
 * <p>Why not Vert.x's datagram socket: it allocates a fresh direct buffer for every datagram and copies it to the
 * heap, which measured about 110 microseconds of a core per 1316-byte datagram (9 % of a core for an 8 Mbit/s
 * stream, where ffmpeg reading the same stream needs 1.3 %). Here one reusable buffer receives, each datagram is
 * copied once into an array the demuxer reads, and the event loop is woken once per batch.
 */
final class UdpReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpReceiver.class);
    /** The largest UDP payload over IPv4. */
    static final int MAX_DATAGRAM_BYTES = 65_507;
    /**
     * Bytes received but not yet taken by the event loop: a second of a 30 Mbit/s stream. An event loop that far
     * behind is overloaded; datagrams past it are dropped (and counted), never queued without bound.
     */
    static final long MAX_QUEUED_BYTES = 4L << 20;

    /** One datagram as received. */
    record Datagram(byte[] data, InetSocketAddress sender) {
    }

    /** Called on the event loop for each datagram, in arrival order. */
    interface Handler {
        void datagram(Datagram d);
    }

    private final DatagramChannel channel;
    private final Context context;
    private final Handler handler;
    private final LongConsumer dropped;
    private final ConcurrentLinkedQueue<Datagram> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Thread thread;

    private UdpReceiver(DatagramChannel channel, Context context, Handler handler, LongConsumer dropped, String name) {
        this.channel = channel;
        this.context = context;
        this.handler = handler;
        this.dropped = dropped;
        this.thread = new Thread(this::receive, name);
        thread.setDaemon(true);
    }

    /**
     * Binds the listener's socket (its group's address for multicast, joined on the interface asked for) and starts
     * receiving; {@code dropped} hears of datagrams dropped because the event loop fell behind.
     */
    static UdpReceiver open(TsListenerSpec spec, int receiveBufferBytes, Context context, Handler handler,
                            LongConsumer dropped) throws IOException {
        InetAddress bind = InetAddress.getByName(spec.bindHost());
        DatagramChannel channel = DatagramChannel.open(bind instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            // several receivers of one group on one host is what multicast is for; a unicast port stays ours alone
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, !spec.group().isEmpty());
            channel.bind(new InetSocketAddress(bind, spec.port()));
            if (!spec.group().isEmpty()) {
                InetAddress group = InetAddress.getByName(spec.group());
                NetworkInterface iface = multicastInterface(spec.iface());
                if (spec.source().isEmpty()) {
                    channel.join(group, iface);
                } else {
                    channel.join(group, iface, InetAddress.getByName(spec.source()));
                }
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        UdpReceiver r = new UdpReceiver(channel, context, handler, dropped, "ts-udp-" + spec.port());
        r.thread.start();
        return r;
    }

    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        channel.close(); // the receiving thread's receive() fails at once and the thread ends
    }

    /**
     * The interface named (by name or by one of its addresses), or when none is named the first one that is up and
     * takes multicast, loopback last.
     */
    static NetworkInterface multicastInterface(String nameOrAddress) throws IOException {
        if (!nameOrAddress.isEmpty()) {
            NetworkInterface byName = NetworkInterface.getByName(nameOrAddress);
            if (byName != null) {
                return byName;
            }
            NetworkInterface byAddress = nameOrAddress.matches("[0-9.]+|[0-9A-Fa-f:]+")
                    ? NetworkInterface.getByInetAddress(InetAddress.getByName(nameOrAddress)) : null;
            if (byAddress == null) {
                throw new SocketException("no network interface " + nameOrAddress);
            }
            return byAddress;
        }
        NetworkInterface loopback = null;
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!i.isUp()) {
                continue;
            }
            if (i.isLoopback()) {
                loopback = i;
            } else if (i.supportsMulticast()) {
                return i;
            }
        }
        if (loopback == null) {
            throw new SocketException("no network interface is up to join a multicast group on");
        }
        return loopback;
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_BYTES);
        try {
            while (true) {
                buffer.clear();
                InetSocketAddress sender = (InetSocketAddress) channel.receive(buffer);
                buffer.flip();
                int length = buffer.remaining();
                if (queuedBytes.get() + length > MAX_QUEUED_BYTES) {
                    dropped.accept(1);
                    continue;
                }
                byte[] data = new byte[length];
                buffer.get(data);
                queuedBytes.addAndGet(length);
                queue.add(new Datagram(data, sender));
                if (drainScheduled.compareAndSet(false, true)) {
                    context.runOnContext(v -> drain());
                }
            }
        } catch (ClosedChannelException closed) {
            // close(): the listener stopped
        } catch (IOException e) {
            if (channel.isOpen()) {
                log.error("{}: receiving stopped: {}", thread.getName(), e.toString());
            }
        }
    }

    private void drain() {
        drainScheduled.set(false); // from here, a new datagram schedules another drain: none is left behind
        Datagram d;
        while ((d = queue.poll()) != null) {
            queuedBytes.addAndGet(-d.data().length);
            handler.datagram(d);
        }
    }
}
