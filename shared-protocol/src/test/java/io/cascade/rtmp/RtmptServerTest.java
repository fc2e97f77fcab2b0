package io.cascade.rtmp;

import io.cascade.metrics.NodeCounters;
import io.cascade.testing.RtmptTunnel;
import io.cascade.testing.TestRtmpClient;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTMPT over real HTTP: the session commands, their answers byte for byte where clients depend on them, and the
 * bounds (queued output, session timeout, body size). The RTMP inside is the socket server's: the same test client
 * publishes through the tunnel.
 */
@ExtendWith(VertxExtension.class)
class RtmptServerTest {
    private static final long SESSION_TIMEOUT_MS = 1_500;
    private static final int QUEUE_BYTES = 256 * 1024;
    private static final NodeCounters counters = new NodeCounters();
    /** What the play handler saw while it queued 64 KiB pieces for a client that never polls. */
    private static final List<String> flooding = new CopyOnWriteArrayList<>();
    private static RtmptServer server;

    @BeforeAll
    static void start(Vertx vertx, VertxTestContext ctx) {
        RtmpPublishHandler accept = (c, r) -> {
            c.session().acceptPublish(r.streamId(), r.name());
            c.bind(r.streamId(), () -> { });
        };
        RtmpPlayHandler flood = (c, r) -> {
            c.session().startPlay(r.streamId(), r.name(), false);
            for (int i = 0; i < 100 && !c.isClosed(); i++) {
                c.queueMedia(Unpooled.wrappedBuffer(new byte[64 * 1024]));
                c.flush();
                if (c.writeQueueFull() && !flooding.contains("full")) {
                    flooding.add("full");
                }
            }
            flooding.add(c.isClosed() ? "closed" : "open");
        };
        server = new RtmptServer(new RtmpServer.Settings("127.0.0.1", 0, accept, flood, counters, QUEUE_BYTES, 0,
                5_000, 30_000), SESSION_TIMEOUT_MS);
        vertx.deployVerticle(server).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void aClientPublishesThroughTheTunnel() throws Exception {
        long before = counters.protocol(RtmpServer.PROTOCOL).bytesIn.sum();
        try (TestRtmpClient c = new TestRtmpClient(new RtmptTunnel(server.actualPort(), 5_000))) {
            c.handshake(false);
            c.connect("live");
            int id = c.createStream();
            assertEquals("NetStream.Publish.Start", c.publish(id, "tunnelled"));
        }
        // counted as RTMP: the handshake alone is 1 + 2 * 1536 bytes in
        assertTrue(counters.protocol(RtmpServer.PROTOCOL).bytesIn.sum() - before > 3_000);
    }

    @Test
    void openAnswersTheSessionIdAndANewlineAndIdleThePollingByte() throws Exception {
        String open = raw("POST /open/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-fcs\r\n"
                + "Content-Length: 1\r\n\r\n\0");
        assertTrue(open.startsWith("HTTP/1.1 200 "), open);
        // librtmp looks for "Content-" and then "length:", case-sensitively for the first part
        assertTrue(open.contains("\r\nContent-Length: 17\r\n"), open);
        assertTrue(open.toLowerCase().contains("content-type: application/x-fcs"), open);
        String id = open.substring(open.indexOf("\r\n\r\n") + 4);
        assertTrue(id.matches("[0-9a-f]{16}\n"), id);

        String idle = raw("POST /idle/" + id.strip() + "/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n\0");
        assertTrue(idle.startsWith("HTTP/1.1 200 "), idle);
        assertTrue(idle.contains("\r\nContent-Length: 1\r\n"), idle);
        byte poll = (byte) idle.charAt(idle.length() - 1);
        assertTrue(poll >= 1 && poll <= RtmptServer.MAX_POLL_INTERVAL, "polling interval " + poll);
    }

    @Test
    void unknownSessionsProbesAndOtherMethodsAreRefused() throws Exception {
        assertTrue(raw("POST /fcs/ident2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n\0")
                .startsWith("HTTP/1.1 404"));
        assertTrue(raw("POST /idle/0123456789abcdef/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n\0")
                .startsWith("HTTP/1.1 404"));
        assertTrue(raw("POST /send/../1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n\0")
                .startsWith("HTTP/1.1 404"));
        assertTrue(raw("GET /open/1 HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 405"));
        assertTrue(raw("POST /send/0123456789abcdef/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
                .startsWith("HTTP/1.1 413"));
    }

    @Test
    void aSessionNobodyPollsIsClosedAfterTheTimeout() throws Exception {
        RtmptTunnel tunnel = new RtmptTunnel(server.actualPort(), 1_000);
        assertTrue(tunnel.command("idle", new byte[] {0}) != null);
        Thread.sleep(SESSION_TIMEOUT_MS + 1_000);
        assertNull(tunnel.command("idle", new byte[] {0}));
        assertEquals(404, tunnel.lastStatus());
    }

    @Test
    void outputForAClientThatDoesNotPollIsBoundedAndTheSessionClosed() throws Exception {
        RtmptTunnel tunnel = new RtmptTunnel(server.actualPort(), 5_000);
        TestRtmpClient c = new TestRtmpClient(tunnel);
        c.handshake(false);
        c.connect("live");
        int id = c.createStream();
        // the play command goes out, and the client reads nothing more: the server queues into the session
        c.command(id, "play", null, "flood", -2.0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!flooding.contains("closed") && !flooding.contains("open") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of("full", "closed"), flooding, "writeQueueFull past " + QUEUE_BYTES
                + " bytes, and the session closed past " + RtmptServer.HARD_LIMIT_FACTOR + " times that");
        assertNull(tunnel.command("idle", new byte[] {0}));
        assertEquals(404, tunnel.lastStatus());
    }

    /** One request on a socket of its own; the whole answer as text (ISO-8859-1, byte for byte). */
    private static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buf = new byte[4096];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                answer.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                int head = answer.indexOf("\r\n\r\n");
                if (head >= 0) {
                    String headers = answer.substring(0, head).toLowerCase();
                    int at = headers.indexOf("content-length: ");
                    int length = at < 0 ? 0 : Integer.parseInt(headers.substring(at + 16).split("\r\n")[0].strip());
                    if (answer.length() >= head + 4 + length) {
                        break;
                    }
                }
            }
            return answer.toString();
        }
    }
}
