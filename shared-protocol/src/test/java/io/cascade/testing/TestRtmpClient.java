package io.cascade.testing;

import io.cascade.protocol.amf0.Amf0Exception;
import io.cascade.protocol.amf0.Amf0Reader;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.ChunkDecoder;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.handshake.RtmpHandshake;
import io.cascade.protocol.rtmp.message.MessageType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal blocking RTMP client for tests: enough to drive the server through handshake, connect, publish and
 * play, to send hand-made bytes, and to watch what comes back. Real-client interop is proven with ffmpeg,
 * rtmpdump and GStreamer; this client checks what those cannot show (status codes, exact timestamps, closes).
 */
public final class TestRtmpClient implements AutoCloseable {
    private final Socket socket;
    private final RtmptTunnel tunnel;
    private final InputStream in;
    private final OutputStream out;
    private final ChunkDecoder decoder = new ChunkDecoder();
    private final ChunkEncoder encoder = new ChunkEncoder(128);
    private final Deque<RtmpMessage> inbox = new ArrayDeque<>();
    private final List<String> statusCodes = new ArrayList<>();
    private double transaction = 1;

    public TestRtmpClient(int port, int readTimeoutMs) throws IOException {
        this(port, readTimeoutMs, 0);
    }

    /** With a small receive buffer (bytes, 0 = system default) a client that stops reading stalls the server soon. */
    public TestRtmpClient(int port, int readTimeoutMs, int receiveBufferBytes) throws IOException {
        this("127.0.0.1", port, readTimeoutMs, receiveBufferBytes);
    }

    /** A client of a node on another address (one in a network namespace of a test's own). */
    public TestRtmpClient(String host, int port, int readTimeoutMs, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new java.net.InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(readTimeoutMs);
        tunnel = null;
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The same client over an RTMPT session instead of a socket. */
    public TestRtmpClient(RtmptTunnel tunnel) {
        this.socket = null;
        this.tunnel = tunnel;
        this.in = tunnel.input();
        this.out = tunnel.output();
    }

    public void setReadTimeout(int ms) throws IOException {
        if (socket != null) {
            socket.setSoTimeout(ms);
        } else {
            tunnel.setReadTimeout(ms);
        }
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void handshake(boolean digest) throws IOException {
        sendRaw(RtmpHandshake.clientHello(digest));
        byte[] s0s1s2 = in.readNBytes(1 + 2 * RtmpHandshake.PACKET_SIZE);
        if (s0s1s2.length != 1 + 2 * RtmpHandshake.PACKET_SIZE) {
            throw new IOException("server closed during the handshake");
        }
        byte[] c2 = new byte[RtmpHandshake.PACKET_SIZE];
        System.arraycopy(s0s1s2, 1, c2, 0, c2.length); // echo S1
        sendRaw(c2);
    }

    public void send(RtmpMessage m) throws IOException {
        sendRaw(encoder.encode(m));
    }

    public void command(int streamId, String name, Object... args) throws IOException {
        Amf0Writer w = new Amf0Writer().write(name).write(transaction++);
        for (Object a : args) {
            w.write(a);
        }
        send(new RtmpMessage(3, MessageType.COMMAND_AMF0, streamId, 0, w.toByteArray()));
    }

    /** connect, and wait for its _result. */
    public void connect(String app) throws IOException {
        Map<String, Object> cmd = new LinkedHashMap<>();
        cmd.put("app", app);
        cmd.put("flashVer", "FMLE/3.0 (compatible; cascade-test)");
        cmd.put("tcUrl", "rtmp://127.0.0.1/" + app);
        command(0, "connect", cmd);
        awaitCommand("_result");
    }

    public int createStream() throws IOException {
        command(0, "createStream", (Object) null);
        List<Object> result = awaitCommand("_result");
        return ((Double) result.get(3)).intValue();
    }

    /** publish; returns the onStatus code the server answered with. */
    public String publish(int streamId, String name) throws IOException {
        return publish(streamId, name, "live");
    }

    /** publish with a type ("live", "record", "append"); returns the onStatus code the server answered with. */
    public String publish(int streamId, String name, String type) throws IOException {
        command(streamId, "publish", null, name, type);
        return awaitStatus();
    }

    /** play; returns the first onStatus code (NetStream.Play.Reset when the stream is live). */
    public String play(int streamId, String name) throws IOException {
        command(streamId, "play", null, name, -2.0);
        return awaitStatus();
    }

    /** Status codes seen so far, in order. */
    public List<String> statusCodes() {
        return statusCodes;
    }

    /** The next message, or null when the read timed out. Throws when the server closed the connection. */
    public RtmpMessage read() throws IOException {
        while (inbox.isEmpty()) {
            byte[] buf = new byte[16384];
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                throw new IOException("closed by server");
            }
            try {
                decoder.feed(buf, 0, n, m -> {
                    inbox.add(m);
                    recordStatus(m);
                });
            } catch (RtmpProtocolException e) {
                throw new IOException("server sent bad chunks: " + e.getMessage(), e);
            }
        }
        return inbox.poll();
    }

    /** The next audio or video message, skipping everything else; null on timeout. */
    public RtmpMessage readMedia() throws IOException {
        RtmpMessage m;
        while ((m = read()) != null) {
            if (m.typeId() == MessageType.AUDIO || m.typeId() == MessageType.VIDEO) {
                return m;
            }
        }
        return null;
    }

    /** True when the server closes the connection within the socket's read timeout (bytes before that are read). */
    public boolean closedByServer() {
        try {
            byte[] buf = new byte[16384];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset counts as closed
        }
    }

    private void recordStatus(RtmpMessage m) {
        if (m.typeId() != MessageType.COMMAND_AMF0) {
            return;
        }
        List<Object> v = decode(m);
        if (v.size() > 3 && "onStatus".equals(v.get(0)) && v.get(3) instanceof Map<?, ?> info) {
            statusCodes.add(String.valueOf(info.get("code")));
        }
    }

    private List<Object> awaitCommand(String name) throws IOException {
        for (int i = 0; i < 100; i++) {
            RtmpMessage m = read();
            if (m == null) {
                throw new IOException("no " + name + " from the server");
            }
            if (m.typeId() == MessageType.COMMAND_AMF0) {
                List<Object> v = decode(m);
                if (!v.isEmpty() && name.equals(v.get(0))) {
                    return v;
                }
            }
        }
        throw new IOException("no " + name + " in 100 messages");
    }

    private String awaitStatus() throws IOException {
        int seen = statusCodes.size();
        for (int i = 0; i < 100 && statusCodes.size() == seen; i++) {
            if (read() == null) {
                throw new IOException("no onStatus from the server");
            }
        }
        return statusCodes.get(seen);
    }

    private static List<Object> decode(RtmpMessage m) {
        try {
            return Amf0Reader.readAll(m.payload(), 0, m.payload().length);
        } catch (Amf0Exception e) {
            throw new IllegalStateException("server sent bad AMF0", e);
        }
    }

    /** The socket's bytes, for a client that reads the rest of the connection its own way (slowly, say). */
    public InputStream input() {
        return in;
    }

    /** Goes the way a killed client goes: the connection is reset (SO_LINGER 0), no goodbye. */
    public void abort() throws IOException {
        if (socket != null) {
            socket.setSoLinger(true, 0);
        }
        close();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        } else {
            tunnel.close();
        }
    }
}
