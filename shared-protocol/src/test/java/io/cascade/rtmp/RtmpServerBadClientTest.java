package io.cascade.rtmp;

import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.handshake.RtmpHandshake;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.TestRtmpClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients over a real socket (bad versions, stalled handshakes, absurd chunk sizes and lengths, commands out of
 * order): each one is closed, or ignored where the
 * protocol allows, and a well-behaved publisher connected all along never notices.
 */
@ExtendWith(VertxExtension.class)
class RtmpServerBadClientTest {
    // short enough to keep the test quick, long enough for a cold JVM on a loaded CI machine
    private static final long HANDSHAKE_DEADLINE_MS = 1_500;
    private static final long IDLE_MS = 3_000;
    /** What a node queues for one viewer by default (viewer.queue.bytes). */
    private static final int VIEWER_QUEUE_BYTES = 2 << 20;
    private static RtmpServer server;
    private static final NodeCounters counters = new NodeCounters();
    private static TestRtmpClient goodPublisher;

    @BeforeAll
    static void start(Vertx vertx, VertxTestContext ctx) {
        RtmpPublishHandler accept = (c, r) -> {
            c.session().acceptPublish(r.streamId(), r.name());
            c.bind(r.streamId(), () -> { });
            if (r.name().startsWith("silent")) {
                c.markPublishing(); // as the node's handler does; the good publisher is left unmarked to outlive every case
            }
        };
        server = new RtmpServer(new RtmpServer.Settings("127.0.0.1", 0, accept, RtmpServer.NO_PLAYBACK, counters,
                VIEWER_QUEUE_BYTES, 0, HANDSHAKE_DEADLINE_MS, IDLE_MS));
        vertx.deployVerticle(server).timeout(10, TimeUnit.SECONDS)
                // the client's socket I/O blocks: on a worker, never on the event loop the server may share
                .compose(deployed -> vertx.executeBlocking(() -> {
                    goodPublisher = connected();
                    int id = goodPublisher.createStream();
                    assertEquals("NetStream.Publish.Start", goodPublisher.publish(id, "good"));
                    return null;
                }, false))
                .onComplete(ctx.succeedingThenComplete());
    }

    @AfterAll
    static void stop() throws Exception {
        if (goodPublisher != null) {
            goodPublisher.close();
        }
        // the good publisher was never disturbed by any of the cases; the extension closes Vert.x after this
    }

    private static TestRtmpClient client() throws IOException {
        return new TestRtmpClient(server.actualPort(), (int) (IDLE_MS + 5_000));
    }

    private static TestRtmpClient connected() throws IOException {
        TestRtmpClient c = client();
        c.handshake(false);
        c.connect("live");
        return c;
    }

    private static byte[] chunks(int chunkSize, RtmpMessage m) {
        return new ChunkEncoder(chunkSize).encode(m);
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static void assertClosed(TestRtmpClient c) {
        assertTrue(c.closedByServer(), "the server should close this connection");
    }

    private static void assertGoodPublisherStillThere() throws IOException {
        goodPublisher.command(0, "getStreamLength", null, "good");
        // any answer proves the connection and its event loop are alive
        assertTrue(goodPublisher.read() != null, "good publisher got no answer");
    }

    @Test
    void versionOtherThan3IsClosed() throws IOException {
        try (TestRtmpClient c = client()) {
            byte[] hello = RtmpHandshake.clientHello(false);
            hello[0] = 6; // RTMPE
            c.sendRaw(hello);
            assertClosed(c);
        }
        assertGoodPublisherStillThere();
    }

    @Test
    void truncatedC1ThenSilenceIsClosedAtTheDeadline() throws IOException {
        try (TestRtmpClient c = client()) {
            c.sendRaw(java.util.Arrays.copyOf(RtmpHandshake.clientHello(false), 700));
            long t0 = System.nanoTime();
            assertClosed(c);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < HANDSHAKE_DEADLINE_MS + 2_000, "closed after " + ms + " ms");
        }
    }

    @Test
    void chunkSizesOutsideTheLimitsAreClosed() throws IOException {
        for (String size : new String[] {"00000000", "00000001", "7FFFFFFF"}) {
            try (TestRtmpClient c = client()) {
                c.handshake(false);
                c.sendRaw(chunks(128, new RtmpMessage(2, MessageType.SET_CHUNK_SIZE, 0, 0, hex(size))));
                assertClosed(c);
            }
        }
        assertGoodPublisherStillThere();
    }

    @Test
    void chunkHeaderReferringToNoEarlierHeaderIsClosed() throws IOException {
        try (TestRtmpClient c = client()) {
            c.handshake(false);
            // fmt 1 on csid 5 with no fmt 0 before: delta 0, length 4, type 20
            c.sendRaw(hex("45 000000 000004 14 00000000"));
            assertClosed(c);
        }
    }

    @Test
    void maximalLengthThenStallHoldsOnlyWhatArrivedAndIdlesOut() throws IOException {
        try (TestRtmpClient c = client()) {
            c.handshake(false);
            // fmt 0, csid 6, length 0xFFFFFF, video, then only 100 bytes of it
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(hex("06 000000 FFFFFF 09 01000000"));
            b.writeBytes(new byte[100]);
            c.sendRaw(b.toByteArray());
            assertClosed(c); // by the idle deadline, not at once
        }
    }

    @Test
    void unknownMessageTypeIsIgnoredAndAbortOfAnUnknownStreamIsHarmless() throws IOException {
        try (TestRtmpClient c = client()) {
            c.handshake(false);
            c.sendRaw(chunks(128, new RtmpMessage(3, 99, 0, 0, new byte[] {1, 2, 3})));
            c.sendRaw(chunks(128, new RtmpMessage(2, MessageType.ABORT, 0, 0, hex("00000033"))));
            c.connect("live");
            assertTrue(c.createStream() > 0);
        }
    }

    @Test
    void publishBeforeConnectIsClosed() throws IOException {
        try (TestRtmpClient c = client()) {
            c.handshake(false);
            c.command(1, "publish", null, "x", "live");
            assertClosed(c);
        }
    }

    @Test
    void publishOnAStreamNeverCreatedIsClosed() throws IOException {
        try (TestRtmpClient c = connected()) {
            c.command(7, "publish", null, "x", "live");
            assertClosed(c);
        }
    }

    @Test
    void secondConnectIsClosed() throws IOException {
        try (TestRtmpClient c = connected()) {
            c.command(0, "connect", java.util.Map.of("app", "live"));
            assertClosed(c);
        }
    }

    @Test
    void thousandsOfPartialChunkStreamsAreClosed() throws IOException {
        try (TestRtmpClient c = client()) {
            c.handshake(false);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int csid = 64; csid < 64 + 2000; csid++) {
                int rel = csid - 64;
                // fmt 0 with the 3-byte csid form, length 1000, and only its first 128-byte chunk
                b.writeBytes(new byte[] {1, (byte) rel, (byte) (rel >> 8)});
                b.writeBytes(hex("000000 0003E8 09 01000000"));
                b.writeBytes(new byte[128]);
            }
            c.sendRaw(b.toByteArray());
            assertClosed(c);
        } catch (IOException e) {
            // the server may close while we are still writing: that is the expected outcome too
        }
        assertGoodPublisherStillThere();
    }

    @Test
    void amf0DepthBombInACommandIsClosed() throws IOException {
        try (TestRtmpClient c = connected()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(hex("02 0007 636f6e6e656374 00 3ff0000000000000")); // "connect", 1.0
            for (int i = 0; i < 10_000; i++) {
                b.writeBytes(hex("03 0001 61")); // object { "a": object { ...
            }
            c.sendRaw(chunks(128, new RtmpMessage(3, MessageType.COMMAND_AMF0, 0, 0, b.toByteArray())));
            assertClosed(c);
        }
        assertGoodPublisherStillThere();
    }

    @Test
    void truncatedExtendedTimestampWaitsThenIdlesOut() throws IOException {
        try (TestRtmpClient c = client()) {
            c.handshake(false);
            c.sendRaw(hex("06 FFFFFF 000010 09 01000000 0102")); // extended timestamp cut after 2 of 4 bytes
            assertClosed(c);
        }
    }

    @Test
    void connectionsThatNeverPublishIdleOut() throws IOException {
        try (TestRtmpClient c = connected()) {
            assertClosed(c);
        }
        assertFalse(goodPublisherClosed());
    }

    @Test
    void aPublisherThatGoesSilentIsClosedAtTheIdleDeadline() throws IOException {
        try (TestRtmpClient c = connected()) {
            int id = c.createStream();
            assertEquals("NetStream.Publish.Start", c.publish(id, "silent"));
            c.send(new RtmpMessage(6, MessageType.VIDEO, id, 0, hex("1700000000"))); // then nothing more
            long t0 = System.nanoTime();
            assertClosed(c);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= IDLE_MS - 500 && ms <= IDLE_MS + 2 * RtmpServer.CHECK_PERIOD_MS + 500,
                    "closed " + ms + " ms after its last message, the deadline is " + IDLE_MS + " ms");
        }
    }

    private static boolean goodPublisherClosed() {
        try {
            assertGoodPublisherStillThere();
            return false;
        } catch (IOException | AssertionError e) {
            return true;
        }
    }
}
