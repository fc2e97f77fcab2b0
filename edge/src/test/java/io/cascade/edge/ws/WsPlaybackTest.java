package io.cascade.edge.ws;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.testing.LiveStreams;
import io.cascade.edge.testing.RawWebSocket;
import io.cascade.edge.testing.RawWebSocket.Frame;
import io.cascade.metrics.NodeCounters;
import io.cascade.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fMP4 over WebSocket through the shared fan-out, over real sockets with a client that does only what it is told:
 * what a viewer gets and in which order, and what the server does with clients that misbehave or are not there.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsPlaybackTest {
    private LiveStreams live;
    private NodeCounters.ProtocolCounters ws;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        live = new LiveStreams(vertx, new ViewerPolicy(2_000, 10_000, 0));
        ws = live.counters.protocol(WsPlayback.PROTOCOL);
    }

    /** The node's HTTP server as HttpListener sets it up, with this ping schedule; answers its port. */
    private int serve(long pingIntervalMs, long pongTimeoutMs) throws Exception {
        Router router = Router.router(live.vertx);
        router.routeWithRegex(WsPlayback.PATH_REGEX).handler(new WsPlayback(live.vertx, live.playback, live.registry,
                live.counters, 1 << 20, pingIntervalMs, pongTimeoutMs));
        router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
        return live.serve(router, new HttpServerOptions().setMaxWebSocketFrameSize(WsPlayback.MAX_MESSAGE_BYTES)
                .setMaxWebSocketMessageSize(WsPlayback.MAX_MESSAGE_BYTES)
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false));
    }

    private int serve() throws Exception {
        return serve(WsViewer.PING_INTERVAL_MS, WsViewer.PONG_TIMEOUT_MS);
    }

    private static void await(String what, Await.Condition done) throws Exception {
        Await.until(what, Duration.ofSeconds(10), done);
    }

    /** The next whole message (continuation frames joined), answering pings on the way. */
    static Frame message(RawWebSocket c) throws Exception {
        Frame first = c.readAnswering();
        assertNotNull(first, "a message");
        byte[] payload = first.payload();
        for (boolean fin = first.fin(); !fin; ) {
            Frame next = c.readAnswering();
            assertNotNull(next, "the rest of a message");
            payload = concat(payload, next.payload());
            fin = next.fin();
        }
        return new Frame(first.opcode(), true, payload);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String box(byte[] data, int at) {
        return new String(data, at + 4, 4, StandardCharsets.ISO_8859_1);
    }

    /** The offset of the first box of this type in a flat scan (good enough for a moof's few boxes). */
    private static int find(byte[] data, String type) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 4; i + 4 <= data.length; i++) {
            if (data[i] == t[0] && data[i + 1] == t[1] && data[i + 2] == t[2] && data[i + 3] == t[3]) {
                return i - 4;
            }
        }
        return -1;
    }

    private static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) << 24 | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
    }

    /** Track and first-sample flags of a fragment message. */
    private static long[] trackAndFlags(byte[] fragment) {
        assertEquals("moof", box(fragment, 0));
        int tfhd = find(fragment, "tfhd");
        int trun = find(fragment, "trun");
        return new long[] {u32(fragment, tfhd + 12), u32(fragment, trun + 12 + 8 + 8)};
    }

    @Test
    void aViewerGetsTheCodecsThenTheInitThenFragmentsFromAKeyframeAndLiveOnes() throws Exception {
        int port = serve();
        live.publish("cam");
        live.send("cam", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/cam/ws", 5_000)) {
            assertTrue(c.upgraded(), c.status);
            Frame text = message(c);
            assertEquals(Frame.TEXT, text.opcode());
            String mime = new String(text.payload(), StandardCharsets.US_ASCII);
            assertTrue(mime.matches("video/mp4; codecs=\"avc1\\.[0-9A-Fa-f]{6},mp4a\\.40\\.2\""), mime);
            Frame init = message(c);
            assertEquals(Frame.BINARY, init.opcode());
            assertEquals("ftyp", box(init.payload(), 0));
            Frame first = message(c);
            long[] trackAndFlags = trackAndFlags(first.payload());
            assertEquals(1, trackAndFlags[0], "video first: the GOP starts at its keyframe");
            assertEquals(0x02000000, trackAndFlags[1], "a sync sample");
            await("playing", () -> ws.viewers.sum() == 1);

            live.send("cam", 40);
            int video = 0;
            int audio = 0;
            for (int i = 0; i < 30; i++) {
                Frame m = message(c);
                assertEquals(Frame.BINARY, m.opcode(), "no second init: the config did not change");
                if (trackAndFlags(m.payload())[0] == 1) {
                    video++;
                } else {
                    audio++;
                }
            }
            assertTrue(video > 5 && audio > 5, video + " video and " + audio + " audio fragments");
            assertTrue(ws.bytesOut.sum() > 10_000, "bytes counted: " + ws.bytesOut.sum());
        }
        await("the viewer left", () -> ws.viewers.sum() == 0);
    }

    @Test
    void twoViewersGetTheSameBytesAndARepublishWithAnotherConfigSendsANewInit() throws Exception {
        int port = serve();
        live.publish("re");
        live.send("re", 30);
        try (RawWebSocket a = new RawWebSocket(port, "/re/ws", 5_000);
             RawWebSocket b = new RawWebSocket(port, "/re/ws", 5_000)) {
            List<byte[]> fromA = new ArrayList<>();
            List<byte[]> fromB = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                fromA.add(message(a).payload());
                fromB.add(message(b).payload());
            }
            for (int i = 0; i < fromA.size(); i++) {
                assertTrue(Arrays.equals(fromA.get(i), fromB.get(i)), "message " + i + " is the same for both");
            }
            String mimeBefore = new String(fromA.get(0), StandardCharsets.US_ASCII);

            live.stop("re");
            await("paused", () -> live.hubs.size() == 1);
            Thread.sleep(200);
            live.publish("re");
            // the new publisher's video config differs (another SPS): viewers must get a new init for it
            live.useVideoConfig("re", io.cascade.protocol.h264.AvcVectors.CONFIGS.get(0).record());
            live.send("re", 30);
            Frame text = null;
            for (int i = 0; i < 200 && text == null; i++) {
                Frame m = message(a);
                if (m.opcode() == Frame.TEXT) {
                    text = m;
                }
            }
            assertNotNull(text, "a new codecs message after the republish");
            String mimeAfter = new String(text.payload(), StandardCharsets.US_ASCII);
            assertFalse(mimeAfter.equals(mimeBefore), mimeBefore + " then " + mimeAfter);
            assertEquals("ftyp", box(message(a).payload(), 0), "the new init follows its codecs");
        }
    }

    @Test
    void aNameNotLiveIs404BeforeTheUpgradeAndLeavesNothingBehind() throws Exception {
        int port = serve();
        try (RawWebSocket c = new RawWebSocket(port, "/nobody/ws", 5_000)) {
            assertFalse(c.upgraded());
            assertTrue(c.status.startsWith("HTTP/1.1 404"), c.status);
        }
        assertEquals(0, live.hubs.size(), "no hub");
        assertEquals(1, live.counters.playRefusedNotFound.sum());
        for (String bad : List.of("/a%2Fb/ws", "/..%2F..%2Fetc/ws", "/" + "x".repeat(129) + "/ws", "/na%20me/ws")) {
            try (RawWebSocket c = new RawWebSocket(port, bad, 5_000)) {
                assertTrue(c.status.startsWith("HTTP/1.1 404"), bad + ": " + c.status);
            }
        }
        assertEquals(1, live.registry.lookups.get(), "names outside the grammar are not even looked up");
    }

    @Test
    void aStormOfUpgradesForUnknownNamesCreatesNoState() throws Exception {
        int port = serve();
        List<Thread> threads = new ArrayList<>();
        List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int worker = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    try (RawWebSocket c = new RawWebSocket(port, "/storm-" + worker + "-" + i + "/ws", 5_000)) {
                        answers.add(c.status);
                    } catch (Exception e) {
                        answers.add(e.toString());
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertEquals(400, answers.size());
        assertTrue(answers.stream().allMatch(s -> s.startsWith("HTTP/1.1 404")), answers.get(0));
        assertEquals(0, live.hubs.size(), "no hub for any of them");
        assertEquals(0, ws.viewers.sum());
        assertEquals(400, live.counters.playRefusedNotFound.sum());
    }

    @Test
    void aMessageOver256KiBClosesTheSocket() throws Exception {
        int port = serve();
        live.publish("big");
        live.send("big", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/big/ws", 5_000)) {
            assertEquals(Frame.TEXT, message(c).opcode());
            await("playing", () -> ws.viewers.sum() == 1);
            // in pieces, each under the frame limit: the message as a whole is what is bounded
            byte[] piece = new byte[100 << 10];
            c.send(Frame.BINARY, false, piece);
            c.send(0, false, piece);
            c.send(0, true, piece);
            assertEquals(WsViewer.CLOSE_TOO_BIG, closeCode(c));
        }
        await("the viewer left", () -> ws.viewers.sum() == 0);
        assertEquals(1, ws.violations.sum());
    }

    @Test
    void aSingleFrameOverTheLimitClosesTheSocketToo() throws Exception {
        int port = serve();
        live.publish("big1");
        live.send("big1", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/big1/ws", 5_000)) {
            assertEquals(Frame.TEXT, message(c).opcode());
            int code;
            try {
                c.send(Frame.BINARY, true, new byte[WsPlayback.MAX_MESSAGE_BYTES + 1]);
                code = closeCode(c);
            } catch (java.io.IOException closedWhileSending) {
                code = -1; // the server may close as soon as the header says too big, before the body is all sent
            }
            assertTrue(code == WsViewer.CLOSE_TOO_BIG || code == -1, "closed: " + code);
        }
        await("the viewer left", () -> ws.viewers.sum() == 0);
    }

    @Test
    void messagesAreIgnoredUpToTheLimitThenTheSocketIsClosed() throws Exception {
        int port = serve();
        live.publish("chatty");
        live.send("chatty", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/chatty/ws", 5_000)) {
            assertEquals(Frame.TEXT, message(c).opcode());
            for (int i = 0; i < WsViewer.MAX_CLIENT_MESSAGES; i++) {
                c.send(Frame.TEXT, true, "hello".getBytes(StandardCharsets.US_ASCII));
            }
            live.send("chatty", 10);
            assertEquals(Frame.BINARY, message(c).opcode(), "still playing after the allowed messages");
            await("playing", () -> ws.viewers.sum() == 1);
            c.send(Frame.TEXT, true, "one too many".getBytes(StandardCharsets.US_ASCII));
            assertEquals(WsViewer.CLOSE_POLICY, closeCode(c));
        }
        await("the viewer left", () -> ws.viewers.sum() == 0);
        assertEquals(1, ws.violations.sum());
    }

    /** A paused stream sends nothing; a viewer whose socket is gone without a word must still not stay forever. */
    @Test
    void aViewerThatAnswersNoPingIsClosed() throws Exception {
        int port = serve(100, 400);
        live.publish("quiet");
        live.send("quiet", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/quiet/ws", 5_000)) {
            assertTrue(c.upgraded());
            await("playing", () -> ws.viewers.sum() == 1);
            live.stop("quiet");
            long t0 = System.nanoTime();
            while (c.read() != null) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "closed within 5 s");
            }
        }
        await("the viewer left", () -> ws.viewers.sum() == 0);
        await("and released its hub", () -> live.hubs.size() == 0);
    }

    @Test
    void aViewerThatAnswersPingsStays() throws Exception {
        int port = serve(100, 400);
        live.publish("alive");
        live.send("alive", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/alive/ws", 300)) {
            assertTrue(c.upgraded());
            await("playing", () -> ws.viewers.sum() == 1);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
            while (System.nanoTime() < until) {
                Frame f = c.readAnswering();
                assertTrue(f == null || f.opcode() != Frame.CLOSE, "not closed");
            }
            assertEquals(1, ws.viewers.sum());
        }
    }

    /**
     * The frames are written to the connection's channel and flushed once per turn: a client that stops reading
     * still fills its queue, is skipped to keyframes and, once behind for the policy's time, let go.
     */
    @Test
    void aViewerThatStopsReadingIsSkippedThenDisconnected() throws Exception {
        Vertx own = Vertx.vertx(); // its own, for a policy that lets a slow viewer go after 1 s
        try {
            live = new LiveStreams(own, new ViewerPolicy(2_000, 1_000, 0));
            ws = live.counters.protocol(WsPlayback.PROTOCOL);
            stopsReading();
        } finally {
            own.close().await(10, TimeUnit.SECONDS);
        }
    }

    private void stopsReading() throws Exception {
        int port = serve();
        live.publish("slow");
        live.send("slow", 40);
        try (java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            s.getOutputStream().write(("GET /slow/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            await("playing", () -> ws.viewers.sum() == 1);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (live.counters.viewersDisconnectedSlow.sum() == 0 && System.nanoTime() < until) {
                live.send("slow", 100);
                Thread.sleep(20);
            }
            assertEquals(1, live.counters.viewersDisconnectedSlow.sum(), "disconnected as too slow");
            assertTrue(live.counters.framesDroppedSlowViewer.sum() > 0, "frames skipped first");
        }
        await("the viewer left", () -> ws.viewers.sum() == 0);
        await("and released its hub", () -> live.hubs.size() == 0);
    }

    /** Reads until the close frame (its code) or the end of the connection (-1). */
    static int closeCode(RawWebSocket c) throws Exception {
        for (Frame f; (f = c.readAnswering()) != null; ) {
            if (f.opcode() == Frame.CLOSE) {
                return f.closeCode();
            }
        }
        return -1;
    }

    @Test
    void aPlainGetIsToldToUpgrade() throws Exception {
        int port = serve();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /cam/ws HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5_000);
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 426", status, "a plain GET is told to upgrade");
        }
        assertEquals(0, live.hubs.size(), "nothing made");
        assertEquals(0, live.registry.lookups.get());
    }
}
