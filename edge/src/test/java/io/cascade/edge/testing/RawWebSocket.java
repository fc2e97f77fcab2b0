package io.cascade.edge.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that does only what a test tells it (RFC 6455 by hand): it never answers a ping, so it plays a
 * half-open or stuck viewer, and it can send what a well-behaved client library would refuse to.
 */
public final class RawWebSocket implements AutoCloseable {
    /** One frame as read: opcode, FIN, payload. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        public static final int TEXT = 1;
        public static final int BINARY = 2;
        public static final int CLOSE = 8;
        public static final int PING = 9;

        /** The status code of a close frame, or -1. */
        public int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The status line of the handshake's answer, e.g. {@code HTTP/1.1 101 Switching Protocols}. */
    public final String status;

    public RawWebSocket(int port, String path, int readTimeoutMs) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(readTimeoutMs);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String first = null;
        for (String line; !(line = readLine()).isEmpty(); ) {
            if (first == null) {
                first = line;
            }
        }
        status = first;
    }

    public boolean upgraded() {
        return status != null && status.startsWith("HTTP/1.1 101");
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new EOFException("connection closed in the handshake");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** The next frame, or null when the connection ended or nothing came within the read timeout. */
    public Frame read() throws IOException {
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
        } catch (EOFException | SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return null;
            }
            throw e;
        }
    }

    /**
     * The next frame that is not a ping, answering pings as a browser does; null as {@link #read}, or when nothing
     * but pings came within the read timeout.
     */
    public Frame readAnswering() throws IOException {
        long deadline = System.nanoTime() + socket.getSoTimeout() * 1_000_000L;
        for (Frame f; (f = read()) != null; ) {
            if (f.opcode() != Frame.PING) {
                return f;
            }
            send(10, true, f.payload()); // pong
            if (System.nanoTime() > deadline) {
                return null; // only pings within the read timeout: nothing else came
            }
        }
        return null;
    }

    /** Sends one masked frame, as a client must. */
    public void send(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
