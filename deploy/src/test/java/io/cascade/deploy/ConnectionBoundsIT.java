package io.cascade.deploy;

import io.cascade.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listeners' bounds, tried the way a careless or hostile client breaks them: HTTP connections past
 * {@code http.max.connections} are closed at once and counted; connections that send half a request, or sit on a
 * keep-alive connection with nothing to ask, are closed at {@code http.request.deadline.ms} and
 * {@code http.keepalive.timeout.ms} and counted; a viewer whose request came (HTTP-FLV) plays on far past the
 * deadline; RTMP and RTSP connections past {@code rtmp.max.connections} and {@code rtsp.max.connections} are closed
 * at once and counted, and the bound frees as connections go.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionBoundsIT {
    private static final int MAX = 20;
    private static final long DEADLINE_MS = 1_000;
    private static final int MAX_RTMP = 6;
    private static final int MAX_RTSP = 4;
    private static CascadeNode node;
    private static int rtmp;
    private static int http;
    private static int rtsp;

    @BeforeAll
    static void start() throws Exception {
        rtmp = Clients.freePort();
        http = Clients.freePort();
        rtsp = Clients.freePort();
        node = Clients.startSingle("bounds", rtmp, http, "http.max.connections", String.valueOf(MAX),
                "http.request.deadline.ms", String.valueOf(DEADLINE_MS), "http.keepalive.timeout.ms",
                String.valueOf(DEADLINE_MS), "rtmp.max.connections", String.valueOf(MAX_RTMP),
                "rtsp.port", String.valueOf(rtsp), "rtsp.max.connections", String.valueOf(MAX_RTSP));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    /** Whether the server closed the socket within {@code ms} (end of stream or reset), reading what it sent. */
    private static boolean closedWithin(Socket s, long ms) throws IOException {
        s.setSoTimeout((int) ms);
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[4096];
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        try {
            while (System.nanoTime() < end) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void connectionsPastTheBoundAreClosedAtOnceAndHalfRequestsAtTheDeadline() throws Exception {
        double refusedBefore = node.counters().protocol("http").connectionsOverLimit.sum();
        double timedOutBefore = node.counters().protocol("http").connectionsTimedOut.sum();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX; i++) {
                Socket s = new Socket("127.0.0.1", http);
                held.add(s);
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            Thread.sleep(200); // the server has seen them all
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                try (Socket extra = new Socket("127.0.0.1", http)) {
                    assertTrue(closedWithin(extra, 500), "connection " + (MAX + i + 1) + " past the bound was closed");
                }
            }
            assertEquals(5, node.counters().protocol("http").connectionsOverLimit.sum() - refusedBefore);
            // the half requests: closed at the deadline, none before
            for (Socket s : held) {
                assertTrue(closedWithin(s, DEADLINE_MS + 2_000), "a half request was closed at the deadline");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= DEADLINE_MS - 300 && ms < DEADLINE_MS + 2_500, "closed after " + ms + " ms");
            assertEquals(MAX, node.counters().protocol("http").connectionsTimedOut.sum() - timedOutBefore);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // the bound frees as they go: a whole request is answered again
        Await.until(Duration.ofSeconds(5), () -> Http.getText("http://127.0.0.1:" + http + "/healthz").statusCode(),
                status -> status == 200, status -> "healthz: " + status);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAtTheDeadlineAndAViewerPlaysOnPastIt() throws Exception {
        try (Socket s = new Socket("127.0.0.1", http)) {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5_000);
            byte[] head = new byte[12];
            assertEquals(12, s.getInputStream().readNBytes(head, 0, 12));
            assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
            assertTrue(closedWithin(s, DEADLINE_MS + 2_000), "the idle keep-alive connection was closed");
        }
        try (ExternalProcess pub = ExternalProcess.start("bounds-publish", ffmpegPublish(rtmpUrl(rtmp, "long"), 60))) {
            Await.until(Duration.ofSeconds(20), () -> node.registry().find("long").toCompletionStage()
                    .toCompletableFuture().get(5, TimeUnit.SECONDS) != null, live -> live, live -> "long is live");
            // four times the deadline of HTTP-FLV: its request came, so nothing cuts it
            Clients.assertDecodes("bounds-flv", ffmpegDecode("http://127.0.0.1:" + http + "/long.flv", 4), 4);
        }
    }

    @Test
    void rtmpAndRtspConnectionsPastTheirBoundsAreClosedAtOnceAndCounted() throws Exception {
        // ffmpeg's publisher takes one of the RTMP places and keeps it
        try (ExternalProcess pub = ExternalProcess.start("bounds-rtmp-publish", ffmpegPublish(rtmpUrl(rtmp, "full"), 60))) {
            Await.until(Duration.ofSeconds(20), () -> node.registry().find("full").toCompletionStage()
                    .toCompletableFuture().get(5, TimeUnit.SECONDS) != null, live -> live, live -> "full is live");
            assertBound("rtmp", rtmp, MAX_RTMP - 1);
            assertTrue(pub.isAlive(), "the publisher inside the bound goes on: " + pub.describe());
        }
        assertBound("rtsp", rtsp, MAX_RTSP);
    }

    /**
     * Fills the listener on {@code port} with {@code free} sockets that say nothing (each inside the handshake or
     * request deadline), checks that 3 more are each closed within 500 ms and counted, then that a place freed by a
     * closed socket is taken again.
     */
    private static void assertBound(String protocol, int port, int free) throws Exception {
        double refusedBefore = node.counters().protocol(protocol).connectionsOverLimit.sum();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < free; i++) {
                held.add(new Socket("127.0.0.1", port));
            }
            for (Socket s : held) {
                assertFalse(closedWithin(s, 100), protocol + ": a connection inside the bound was closed");
            }
            for (int i = 0; i < 3; i++) {
                try (Socket extra = new Socket("127.0.0.1", port)) {
                    assertTrue(closedWithin(extra, 500), protocol + ": a connection past the bound was closed at once");
                }
            }
            assertEquals(3, node.counters().protocol(protocol).connectionsOverLimit.sum() - refusedBefore, protocol);
            held.remove(0).close();
            Await.until(Duration.ofSeconds(5), () -> {
                try (Socket again = new Socket("127.0.0.1", port)) {
                    return !closedWithin(again, 300);
                }
            }, open -> open, open -> protocol + ": the freed place was not taken again");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
