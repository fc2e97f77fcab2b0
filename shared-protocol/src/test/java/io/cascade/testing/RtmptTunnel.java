package io.cascade.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking RTMPT client session for tests: RTMP bytes written to {@link #output()} go out as the body of
 * {@code POST /send/<id>/<n>} on flush, and {@link #input()} reads what the answers carry, polling with
 * {@code POST /idle/<id>/<n>} while it has nothing. A read that finds nothing within the read timeout throws
 * {@link SocketTimeoutException}, as a socket's does. Every answer's first byte (the polling interval) is dropped.
 */
public final class RtmptTunnel implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private byte[] received = new byte[0];
    private int receivedAt;
    private long sequence = 1;
    private int readTimeoutMs;
    private int lastStatus = 200;

    /** Opens a session ({@code POST /open/1}) on the server at 127.0.0.1:port. */
    public RtmptTunnel(int port, int readTimeoutMs) throws IOException {
        this.base = "http://127.0.0.1:" + port;
        this.readTimeoutMs = readTimeoutMs;
        HttpResponse<byte[]> opened = post("/open/1", new byte[] {0});
        if (opened.statusCode() != 200) {
            throw new IOException("open answered " + opened.statusCode());
        }
        this.session = new String(opened.body(), StandardCharsets.US_ASCII).strip();
    }

    public String session() {
        return session;
    }

    /** The status of the last answer (404 once the server ended the session). */
    public int lastStatus() {
        return lastStatus;
    }

    public void setReadTimeout(int ms) {
        readTimeoutMs = ms;
    }

    /** One command's answer: its RTMP bytes (the polling byte dropped), or null when it was not a 200. */
    public byte[] command(String command, byte[] body) throws IOException {
        HttpResponse<byte[]> r = post("/" + command + "/" + session + "/" + sequence++, body);
        lastStatus = r.statusCode();
        if (r.statusCode() != 200) {
            return null;
        }
        byte[] b = r.body();
        return b.length == 0 ? new byte[0] : java.util.Arrays.copyOfRange(b, 1, b.length);
    }

    private HttpResponse<byte[]> post(String path, byte[] body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-fcs").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void take(byte[] answer) throws IOException {
        if (answer == null) {
            throw new IOException("closed by server (" + lastStatus + ")");
        }
        if (answer.length > 0) {
            byte[] rest = java.util.Arrays.copyOfRange(received, receivedAt, received.length);
            byte[] all = new byte[rest.length + answer.length];
            System.arraycopy(rest, 0, all, 0, rest.length);
            System.arraycopy(answer, 0, all, rest.length, answer.length);
            received = all;
            receivedAt = 0;
        }
    }

    public InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                long deadline = System.nanoTime() + Duration.ofMillis(readTimeoutMs).toNanos();
                while (receivedAt == received.length) {
                    if (System.nanoTime() > deadline) {
                        throw new SocketTimeoutException("nothing from the server in " + readTimeoutMs + " ms");
                    }
                    take(command("idle", new byte[] {0}));
                }
                int n = Math.min(len, received.length - receivedAt);
                System.arraycopy(received, receivedAt, b, off, n);
                receivedAt += n;
                return n;
            }
        };
    }

    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                pending.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                pending.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                if (pending.size() > 0) {
                    byte[] body = pending.toByteArray();
                    pending.reset();
                    take(command("send", body));
                }
            }
        };
    }

    @Override
    public void close() throws IOException {
        command("close", new byte[] {0});
    }
}
