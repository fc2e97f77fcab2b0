package io.cascade.edge.flv;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.testing.LiveStreams;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.flv.FlvWriter;
import io.cascade.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP-FLV through the shared fan-out, over real sockets: the byte stream a viewer reads, and bad requests. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlvPlaybackTest {
    private static final int QUEUE_BYTES = 64 << 10;
    private LiveStreams live;
    private NodeCounters.ProtocolCounters flv;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        live = new LiveStreams(vertx, new ViewerPolicy(2_000, 1_000, 0));
        flv = live.counters.protocol(FlvPlayback.PROTOCOL);
        Router router = Router.router(vertx);
        router.routeWithRegex(FlvPlayback.PATH_REGEX).handler(new FlvPlayback(live.playback, live.registry,
                live.counters, QUEUE_BYTES));
        router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
        port = live.serve(router, new HttpServerOptions());
    }

    private static void await(String what, Await.Condition done) throws Exception {
        Await.until(what, Duration.ofSeconds(10), done);
    }

    /** One FLV tag as read: type, timestamp, body. */
    private record Tag(int type, long timestamp, byte[] body) {
        boolean isSequenceHeader() {
            return (type == FlvWriter.TAG_VIDEO || type == FlvWriter.TAG_AUDIO) && body[1] == 0;
        }

        boolean isVideoKeyframe() {
            return type == FlvWriter.TAG_VIDEO && (body[0] & 0xF0) == 0x10 && body[1] == 1;
        }
    }

    private static Tag tag(DataInputStream in) throws Exception {
        byte[] h = new byte[11];
        in.readFully(h);
        int size = (h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | (h[3] & 0xFF);
        long ts = (h[7] & 0xFFL) << 24 | (h[4] & 0xFF) << 16 | (h[5] & 0xFF) << 8 | (h[6] & 0xFF);
        byte[] body = new byte[size];
        in.readFully(body);
        assertEquals(11 + size, in.readInt(), "PreviousTagSize");
        return new Tag(h[0] & 0x1F, ts, body);
    }

    private HttpResponse<InputStream> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void aViewerGetsTheHeaderMetadataAtZeroSequenceHeadersThenTheGopFromItsKeyframe() throws Exception {
        live.publish("cam");
        live.send("cam", 40);
        HttpResponse<InputStream> r = get("/cam.flv");
        assertEquals(200, r.statusCode());
        assertEquals("video/x-flv", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        try (DataInputStream in = new DataInputStream(r.body())) {
            byte[] header = new byte[FlvWriter.FILE_HEADER_LENGTH];
            in.readFully(header);
            assertArrayEquals(FlvWriter.fileHeader(true, true), header, "audio and video flagged");
            Tag meta = tag(in);
            assertEquals(FlvWriter.TAG_SCRIPT, meta.type());
            assertEquals(0, meta.timestamp());
            assertTrue(new String(meta.body(), StandardCharsets.ISO_8859_1).contains("onMetaData"));
            Tag first = tag(in);
            Tag second = tag(in);
            assertTrue(first.isSequenceHeader() && second.isSequenceHeader(), "both sequence headers next");
            assertTrue(tag(in).isVideoKeyframe(), "the first media tag is the GOP's keyframe");
            await("playing", () -> flv.viewers.sum() == 1);

            live.send("cam", 30);
            long last = -1;
            for (int i = 0; i < 25; i++) {
                Tag t = tag(in);
                assertTrue(t.type() == FlvWriter.TAG_VIDEO || t.type() == FlvWriter.TAG_AUDIO);
                last = Math.max(last, t.timestamp());
            }
            assertTrue(last > 0);
            assertTrue(flv.bytesOut.sum() > 10_000, "bytes counted: " + flv.bytesOut.sum());
        }
        await("the viewer left", () -> flv.viewers.sum() == 0);
    }

    @Test
    void aViewerStaysThroughARepublishAndItsTimestampsGoOn() throws Exception {
        live.publish("re");
        live.send("re", 40);
        HttpResponse<InputStream> r = get("/re.flv");
        try (DataInputStream in = new DataInputStream(r.body())) {
            in.readFully(new byte[FlvWriter.FILE_HEADER_LENGTH]);
            long before = -1;
            for (int i = 0; i < 30; i++) {
                before = Math.max(before, tag(in).timestamp());
            }
            live.stop("re");
            Thread.sleep(300);
            live.publish("re");
            live.send("re", 40);
            boolean sawSequenceHeader = false;
            Tag media = null;
            for (int i = 0; i < 200 && media == null; i++) {
                Tag t = tag(in);
                if (t.isSequenceHeader()) {
                    sawSequenceHeader = true; // the new publish's, after what was still on its way of the old one
                } else if (!sawSequenceHeader) {
                    before = Math.max(before, t.timestamp());
                } else if (t.type() != FlvWriter.TAG_SCRIPT) {
                    media = t;
                }
            }
            assertTrue(sawSequenceHeader && media != null, "the new publish's sequence headers, then media");
            assertTrue(media.isVideoKeyframe(), "then its keyframe");
            assertTrue(media.timestamp() > before, media.timestamp() + " after " + before);
        }
    }

    @Test
    void aNameNotLiveIs404AndAStormOfThemLeavesNothingBehind() throws Exception {
        assertEquals(404, get("/nobody.flv").statusCode());
        List<CompletableFuture<HttpResponse<Void>>> storm = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            storm.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/storm-" + i
                    + ".flv")).build(), HttpResponse.BodyHandlers.discarding()));
        }
        for (CompletableFuture<HttpResponse<Void>> f : storm) {
            assertEquals(404, f.get(20, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(0, live.hubs.size(), "no hub for any of them");
        assertEquals(0, flv.viewers.sum());
        assertEquals(301, live.counters.playRefusedNotFound.sum());
        for (String bad : List.of("/a%2Fb.flv", "/" + "x".repeat(129) + ".flv", "/na%20me.flv", "/.flv")) {
            assertEquals(404, get(bad).statusCode(), bad);
        }
        assertEquals(301, live.registry.lookups.get(), "names outside the grammar are not even looked up");
    }

    /** A client that stops reading fills its queue, skips, and once behind for the policy's time is let go. */
    @Test
    void aViewerThatStopsReadingIsDisconnected() throws Exception {
        live.publish("slow");
        live.send("slow", 40);
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            s.getOutputStream().write("GET /slow.flv HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await("playing", () -> flv.viewers.sum() == 1);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (live.counters.viewersDisconnectedSlow.sum() == 0 && System.nanoTime() < until) {
                live.send("slow", 100);
                Thread.sleep(20);
            }
            assertEquals(1, live.counters.viewersDisconnectedSlow.sum(), "disconnected as too slow");
            assertTrue(live.counters.framesDroppedSlowViewer.sum() > 0, "frames skipped first");
        }
        await("the viewer left", () -> flv.viewers.sum() == 0);
        await("and released its hub", () -> live.hubs.size() == 0);
    }

    @Test
    void jsonDataMessagesAreNoTagOfTheFlvStream() {
        org.junit.jupiter.api.Assertions.assertNull(FlvPlayback.encoder().encode(
                io.cascade.media.JsonMetadata.frame("message", "{\"a\":1}", 1000, 5), 1000),
                "for metadata subscribers only: script data of JSON would be no AMF0");
    }
}
