package io.cascade.rtsp;

import io.cascade.metrics.NodeCounters;
import io.cascade.net.Received;
import io.cascade.protocol.rtsp.RtspClientSession;
import io.cascade.protocol.rtsp.RtspClientUrl;
import io.cascade.protocol.rtsp.RtspException;
import io.cascade.protocol.rtsp.RtspHttpTunnel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection this node opens to an RTSP server to play a stream from it (a pull) or record one into it (a push,
 * {@link #openRecord}): a socket driven by an
 * {@link RtspClientSession}, with RTP over the same socket (interleaved) or over UDP port pairs from a
 * {@link UdpPortPool}, bound before the first SETUP. It must be playing within {@link #START_TIMEOUT_MS}, and one that
 * receives nothing for {@link #SILENCE_TIMEOUT_MS} is closed: a relay then connects again rather than wait on a server
 * that forgot it. Everything runs on the context that opened it.
 *
 * <p>A pull may travel tunnelled over HTTP ({@link RtspHttpTunnel}, EMS's {@code httpProxy}): the socket the server
 * answers on is then the tunnel's GET, and requests go base64-encoded on its POST, a second connection opened once
 * the GET was answered. A POST whose announced body is used up, or that the server or proxy closed, is replaced by a
 * new one with the same cookie on the next request, as QuickTime does.
 */
public final class RtspClientConnection implements RtspClientSession.Listener, io.cascade.relay.RelayConnection {
    private static final Logger log = LoggerFactory.getLogger(RtspClientConnection.class);

    /** TCP connect, OPTIONS, DESCRIBE, SETUPs and PLAY: well under a second on any reachable server. */
    public static final long START_TIMEOUT_MS = 10_000;
    /** A played stream sends packets every few tens of ms; this long without a byte means the source is gone. */
    public static final long SILENCE_TIMEOUT_MS = 10_000;
    /** What may wait to go out to the server: a pull sends only requests. */
    static final int WRITE_QUEUE_BYTES = 64 << 10;
    /** Tracks a pull sets up at most (one video, one audio): over UDP, a port pair each. */
    static final int MAX_TRACKS = RtspConnection.MAX_TRACKS;
    private static final long CHECK_MS = 1_000;
    /** Requests waiting for the tunnel's POST to connect: a pull sends one at a time, TEARDOWN after. */
    static final int MAX_QUEUED_POSTS = 8;
    private static final SecureRandom COOKIES = new SecureRandom();

    /** What the relay that opened the connection hears from it. */
    public interface Handler {
        /** PLAY was answered; packets of these tracks follow. */
        void onPlaying(RtspClientConnection connection, List<RtspClientSession.PlayTrack> tracks);

        /** RECORD was answered (a push): the RTP channel of each frame track; the stream's RTP may follow. */
        default void onRecording(RtspClientConnection connection, java.util.Map<Integer, Integer> channels) {
        }

        /** RTP or RTCP of a track, valid only during the call. */
        void onPacket(int track, boolean rtcp, byte[] data, int offset, int length);

        /** The connection ended, for the reason given; called once, last. */
        void onClosed(String reason);
    }

    private final Vertx vertx;
    private final Context context;
    private final RtspClientUrl url;
    private final NodeCounters.ProtocolCounters counters;
    private final Handler handler;
    private final List<UdpPortPool.Pair> pairs = new ArrayList<>();
    private final long openedNanos = System.nanoTime();
    private RtspClientSession session;
    private NetSocket socket;
    private ChannelHandlerContext channel;
    private InetAddress serverAddress;
    private List<RtspClientSession.PlayTrack> tracks = List.of();
    private long lastReadNanos = openedNanos;
    private long lastKeepAliveNanos;
    private long timer = -1;
    private long bytesIn;
    /** A push's session (it records): what it announces and on which frame tracks; null for a pull. */
    private byte[] announce;
    private List<Integer> announceTracks;
    private int writeQueueBytes = WRITE_QUEUE_BYTES;
    private boolean closed;
    private String closeReason;
    /** Tunnelled over HTTP: the tunnel, its POST connection (null while none is open) and what waits for one. */
    private RtspHttpTunnel tunnel;
    private NetClient client;
    private NetSocket post;
    private boolean postConnecting;
    private int postBodyBytes;
    private final ArrayDeque<byte[]> postQueue = new ArrayDeque<>();

    private RtspClientConnection(Vertx vertx, RtspClientUrl url, NodeCounters.ProtocolCounters counters,
                                 Handler handler) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.url = url;
        this.counters = counters;
        this.handler = handler;
    }

    /**
     * Connects and starts the session; every outcome, a refused connection included, ends in
     * {@link Handler#onClosed}.
     *
     * @param udpPorts null for TCP interleaved; otherwise where the UDP pairs come from
     */
    public static RtspClientConnection open(Vertx vertx, NetClient client, RtspClientUrl url, UdpPortPool udpPorts,
                                            NodeCounters.ProtocolCounters counters, Handler handler) {
        return open(vertx, client, url, udpPorts, null, counters, handler);
    }

    /**
     * As {@link #open(Vertx, NetClient, RtspClientUrl, UdpPortPool, NodeCounters.ProtocolCounters, Handler)}, over
     * HTTP when {@code httpProxy} is given ({@code self} or the proxy's {@code host:port}; RTP then TCP interleaved).
     *
     * @param httpProxy null or "" for a plain RTSP connection
     */
    public static RtspClientConnection open(Vertx vertx, NetClient client, RtspClientUrl url, UdpPortPool udpPorts,
                                            String httpProxy, NodeCounters.ProtocolCounters counters,
                                            Handler handler) {
        RtspClientConnection c = new RtspClientConnection(vertx, url, counters, handler);
        if (httpProxy != null && !httpProxy.isEmpty()) {
            RtspHttpTunnel t = RtspHttpTunnel.create(url, httpProxy, COOKIES);
            c.tunnel = t;
            c.client = client;
            c.timer = vertx.setPeriodic(CHECK_MS, id -> c.checkTimeouts());
            client.connect(t.connectPort(), t.connectHost()).onComplete(connected -> {
                if (connected.failed()) {
                    c.closeReason = "cannot connect" + (t.proxied() ? " to the HTTP proxy: " : ": ")
                            + connected.cause().getMessage();
                    c.onSocketClosed();
                    return;
                }
                c.attach(connected.result());
            });
            return c;
        }
        c.timer = vertx.setPeriodic(CHECK_MS, id -> c.checkTimeouts());
        Future<Void> ready = udpPorts == null ? Future.succeededFuture() : c.bindPairs(udpPorts, MAX_TRACKS);
        ready.compose(v -> client.connect(url.port(), url.host())).onComplete(connected -> {
            if (connected.failed()) {
                c.closeReason = (udpPorts != null && c.pairs.size() < MAX_TRACKS ? "no UDP ports: "
                        : "cannot connect: ") + connected.cause().getMessage();
                c.onSocketClosed();
                return;
            }
            c.attach(connected.result());
        });
        return c;
    }

    /**
     * Connects and records {@code sdp} (ANNOUNCE, SETUP per track over TCP interleaved, RECORD); every outcome ends
     * in {@link Handler#onClosed}.
     *
     * @param tracks          the frame track of each media section of {@code sdp}, in order
     * @param writeQueueBytes bound on bytes waiting to go out (a push's is the viewer queue's); never 0
     */
    public static RtspClientConnection openRecord(Vertx vertx, NetClient client, RtspClientUrl url, byte[] sdp,
                                                  List<Integer> tracks, int writeQueueBytes,
                                                  NodeCounters.ProtocolCounters counters, Handler handler) {
        RtspClientConnection c = new RtspClientConnection(vertx, url, counters, handler);
        c.announce = sdp;
        c.announceTracks = tracks;
        c.writeQueueBytes = Math.max(WRITE_QUEUE_BYTES, writeQueueBytes);
        c.timer = vertx.setPeriodic(CHECK_MS, id -> c.checkTimeouts());
        client.connect(url.port(), url.host()).onComplete(connected -> {
            if (connected.failed()) {
                c.closeReason = "cannot connect: " + connected.cause().getMessage();
                c.onSocketClosed();
                return;
            }
            c.attach(connected.result());
        });
        return c;
    }

    private Future<Void> bindPairs(UdpPortPool pool, int count) {
        if (count == 0) {
            return Future.succeededFuture();
        }
        return pool.open(context).compose(pair -> {
            if (closed) {
                pair.close();
                return Future.failedFuture("closed");
            }
            pairs.add(pair);
            int index = pairs.size() - 1;
            pair.receive((rtcp, data, sender) -> onDatagram(index, rtcp, data, sender));
            return bindPairs(pool, count - 1);
        });
    }

    private void attach(NetSocket s) {
        if (closed) {
            s.close();
            return;
        }
        socket = s;
        channel = ((NetSocketInternal) s).channelHandlerContext();
        // bounded: a server that stops reading cannot make requests pile up (and a mark of 0 would never drain)
        channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueBytes / 2,
                writeQueueBytes));
        serverAddress = ((InetSocketAddress) channel.channel().remoteAddress()).getAddress();
        s.handler(this::onData);
        s.closeHandler(v -> onSocketClosed());
        s.exceptionHandler(e -> log.debug("{}: socket error: {}", url.redacted(), e.toString()));
        if (tunnel != null) {
            counters.bytesOut.add(tunnel.getRequest().length);
            channel.writeAndFlush(Unpooled.wrappedBuffer(tunnel.getRequest()), channel.voidPromise());
            return; // the session starts when the GET is answered
        }
        startSession();
    }

    private void startSession() {
        int[] ports = null;
        if (!pairs.isEmpty()) {
            ports = pairs.stream().mapToInt(UdpPortPool.Pair::rtpPort).toArray();
        }
        session = announce != null ? RtspClientSession.record(this, url, announce, announceTracks)
                : new RtspClientSession(this, url, ports);
        session.start();
    }

    public Context context() {
        return context;
    }

    public long bytesIn() {
        return bytesIn;
    }

    /** Whether RTP comes interleaved over TCP. */
    public boolean tcp() {
        return pairs.isEmpty();
    }

    /** A push's RTP in interleaved records built once for many, queued without flushing. */
    public void queueMedia(ByteBuf shared) {
        if (!closed && channel != null) {
            counters.bytesOut.add(shared.readableBytes());
            channel.write(Unpooled.unreleasableBuffer(shared.duplicate()), channel.voidPromise());
        }
    }

    public void flush() {
        if (!closed && channel != null) {
            channel.flush();
        }
    }

    /** True while more than the write queue's bound waits to go out: the push's viewer then skips frames. */
    public boolean writeQueueFull() {
        return channel != null && !channel.channel().isWritable();
    }

    /** Tears the session down, then closes. */
    public void close(String reason) {
        if (closed) {
            return;
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        if (socket == null || session == null) {
            abort(reason); // still connecting or opening the tunnel: nothing to tear down
            return;
        }
        session.stop();
        socket.end();
        endPost();
    }

    /** Closes at once, dropping what is queued: a push whose server stopped reading. */
    public void abort(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (socket != null) {
            socket.close();
            if (post != null) {
                post.close();
            }
        } else {
            onSocketClosed();
        }
    }

    /** The tunnel's POST ends once what was queued on it went out: the server tears down on the GET's end. */
    private void endPost() {
        if (post != null) {
            post.end();
        }
    }

    private void onData(Buffer data) {
        if (closed) {
            return;
        }
        lastReadNanos = System.nanoTime();
        bytesIn += data.length();
        counters.bytesIn.add(data.length());
        try {
            Received.read(data, this::received);
        } catch (RtspException e) {
            counters.violations.increment();
            abort("protocol violation by the server: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: closing after an internal error", url.redacted(), e);
            abort("internal error: " + e);
        }
    }

    /** A read from the server: through the HTTP tunnel's response head first when tunnelled. */
    private void received(byte[] bytes, int offset, int length) throws RtspException {
        int at = offset;
        if (tunnel != null && !tunnel.open()) {
            at = tunnel.receiveHeader(bytes, offset, length);
            if (at < 0) {
                return;
            }
            log.debug("{}: HTTP tunnel open{}", url.redacted(), tunnel.proxied() ? " through the proxy" : "");
            startSession(); // its first request opens the POST
        }
        if (at < offset + length) {
            session.receive(bytes, at, offset + length - at);
        }
    }

    private void onDatagram(int pair, boolean rtcp, ByteBuf data, InetSocketAddress sender) {
        if (closed || session == null || !session.playing() || pair >= tracks.size() || !sender.getAddress().equals(serverAddress)) {
            return; // before PLAY, or not from the server: a stray or spoofed datagram
        }
        lastReadNanos = System.nanoTime();
        int n = data.readableBytes();
        bytesIn += n;
        counters.bytesIn.add(n);
        byte[] bytes = new byte[n];
        data.getBytes(data.readerIndex(), bytes);
        handler.onPacket(tracks.get(pair).track().track(), rtcp, bytes, 0, n);
    }

    private void checkTimeouts() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        boolean playing = session != null && session.playing();
        if (!playing && now - openedNanos > START_TIMEOUT_MS * 1_000_000) {
            abort("not playing within " + START_TIMEOUT_MS / 1000 + " s");
        } else if (playing && announce == null && now - lastReadNanos > SILENCE_TIMEOUT_MS * 1_000_000) {
            abort("nothing received for " + SILENCE_TIMEOUT_MS / 1000 + " s");
        } else if (playing && now - lastKeepAliveNanos > session.keepAliveMillis() * 1_000_000) {
            lastKeepAliveNanos = now;
            session.keepAlive();
        }
    }

    private void onSocketClosed() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(timer);
        pairs.forEach(UdpPortPool.Pair::close);
        pairs.clear();
        postQueue.clear();
        if (post != null) {
            post.close();
        }
        handler.onClosed(closeReason != null ? closeReason : "the server closed the connection");
    }

    // ---- RtspClientSession.Listener ----

    @Override
    public void send(byte[] bytes) {
        if (closed || socket == null) {
            return;
        }
        if (tunnel != null) {
            sendTunnelled(RtspHttpTunnel.encode(bytes));
            return;
        }
        counters.bytesOut.add(bytes.length);
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
    }

    /** A request into the tunnel's POST body, on a new POST when there is none or its body would overrun. */
    private void sendTunnelled(byte[] encoded) {
        if (post != null && postBodyBytes + encoded.length > RtspHttpTunnel.POST_CONTENT_LENGTH) {
            NetSocket used = post;
            post = null;
            used.end();
        }
        if (post != null) {
            writePost(encoded);
            return;
        }
        if (postQueue.size() >= MAX_QUEUED_POSTS) {
            abort("the HTTP tunnel's POST does not connect");
            return;
        }
        postQueue.add(encoded);
        if (!postConnecting) {
            openPost();
        }
    }

    private void openPost() {
        postConnecting = true;
        client.connect(tunnel.connectPort(), tunnel.connectHost()).onComplete(connected -> {
            postConnecting = false;
            if (connected.failed()) {
                abort("cannot connect the HTTP tunnel's POST: " + connected.cause().getMessage());
                return;
            }
            NetSocket s = connected.result();
            if (closed) {
                s.close();
                return;
            }
            post = s;
            postBodyBytes = 0;
            s.handler(b -> { }); // a server says nothing on the POST; an answer there would be an error page
            s.exceptionHandler(e -> log.debug("{}: tunnel POST error: {}", url.redacted(), e.toString()));
            s.closeHandler(v -> {
                if (post == s) {
                    post = null; // the next request opens another (the GET, where answers come, goes on)
                }
            });
            byte[] head = tunnel.postRequest();
            counters.bytesOut.add(head.length);
            s.write(Buffer.buffer(head));
            // a few requests of a few hundred bytes: well within a new POST's body
            while (!postQueue.isEmpty()) {
                writePost(postQueue.poll());
            }
        });
    }

    private void writePost(byte[] encoded) {
        postBodyBytes += encoded.length;
        counters.bytesOut.add(encoded.length);
        post.write(Buffer.buffer(encoded));
    }

    @Override
    public void onPlaying(List<RtspClientSession.PlayTrack> playing) {
        tracks = playing;
        lastReadNanos = System.nanoTime();
        lastKeepAliveNanos = lastReadNanos;
        handler.onPlaying(this, playing);
    }

    @Override
    public void onRecording(java.util.Map<Integer, Integer> channels) {
        lastKeepAliveNanos = System.nanoTime();
        handler.onRecording(this, channels);
    }

    @Override
    public void onPacket(int track, boolean rtcp, byte[] data, int offset, int length) {
        handler.onPacket(track, rtcp, data, offset, length);
    }

    @Override
    public void onEnded(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        socket.end();
        endPost();
    }
}
