package io.cascade.edge.ws;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.testing.LiveStreams;
import io.cascade.edge.testing.RawWebSocket;
import io.cascade.edge.testing.RawWebSocket.Frame;
import io.cascade.media.JsonMetadata;
import io.cascade.metrics.NodeCounters;
import io.cascade.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.cascade.edge.ws.WsPlaybackTest.closeCode;
import static io.cascade.edge.ws.WsPlaybackTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON data channel over WebSocket ({@code /<stream>/meta}) through the shared fan-out, over real sockets, with
 * the test as the ingesting node (it puts a client's message on the stream's frame path as the real one does):
 * what a subscriber gets, what a client may send, and what closes it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsMetaTest {
    private LiveStreams live;
    private NodeCounters.ProtocolCounters meta;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        live = new LiveStreams(vertx, new ViewerPolicy(2_000, 10_000, 0));
        meta = live.counters.protocol(WsPlayback.META_PROTOCOL);
    }

    /** The node's HTTP server as HttpListener sets it up; answers its port. */
    private int serve() throws Exception {
        Router router = Router.router(live.vertx);
        router.routeWithRegex(WsPlayback.PATH_REGEX).handler(new WsPlayback(live.vertx, live.playback, live.registry,
                live.counters, 1 << 20));
        router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
        return live.serve(router, new HttpServerOptions().setMaxWebSocketFrameSize(WsPlayback.MAX_MESSAGE_BYTES)
                .setMaxWebSocketMessageSize(WsPlayback.MAX_MESSAGE_BYTES)
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false));
    }

    private static void await(String what, Await.Condition done) throws Exception {
        Await.until(what, Duration.ofSeconds(10), done);
    }

    private static JsonObject json(RawWebSocket c) throws Exception {
        Frame m = message(c);
        assertEquals(Frame.TEXT, m.opcode(), "a text message");
        return new JsonObject(new String(m.payload(), StandardCharsets.UTF_8));
    }

    private static void sendText(RawWebSocket c, String text) throws Exception {
        c.send(Frame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void subscribersGetOnMetaDataAsJsonThenEveryMessageOfTheStreamTheSendersOwnIncluded() throws Exception {
        int port = serve();
        live.publish("show");
        live.send("show", 30);
        try (RawWebSocket a = new RawWebSocket(port, "/show/meta", 5_000);
             RawWebSocket b = new RawWebSocket(port, "/show/meta", 5_000)) {
            assertTrue(a.upgraded(), a.status);
            for (RawWebSocket c : new RawWebSocket[] {a, b}) {
                JsonObject metadata = json(c);
                assertEquals("onMetaData", metadata.getString("type"), metadata.encode());
                assertEquals(320, metadata.getJsonObject("data").getInteger("width"), metadata.encode());
                assertNotNull(metadata.getDouble("time"), metadata.encode());
            }
            await("both subscribed", () -> meta.viewers.sum() == 2);

            String sent = "{\"score\": [1, 2], \"who\": \"\u00e9l\u00e8ve\", \"nested\": {\"ok\": true}}";
            sendText(a, sent);
            double firstTime = -1;
            for (RawWebSocket c : new RawWebSocket[] {a, b}) {
                JsonObject m = json(c);
                assertEquals("message", m.getString("type"));
                assertEquals(new JsonObject(sent), m.getJsonObject("data"));
                assertTrue(m.getDouble("time") >= 0, m.encode());
                firstTime = m.getDouble("time");
            }
            // audio and video are nothing to a subscriber: the next thing it gets is the next message
            live.send("show", 40);
            sendText(b, "[\"second\", 2]");
            for (RawWebSocket c : new RawWebSocket[] {a, b}) {
                JsonObject m = json(c);
                assertEquals("[\"second\",2]", m.getJsonArray("data").encode());
                assertTrue(m.getDouble("time") > firstTime + 0.5, "at the stream's media time: " + m.encode());
            }
            assertEquals(0, live.counters.dataMessagesDroppedInvalid.sum() + live.counters.dataMessagesDroppedNotLive.sum()
                    + live.counters.dataMessagesDroppedRateLimit.sum());
        }
        await("the subscribers left", () -> meta.viewers.sum() == 0);
        assertTrue(meta.bytesIn.sum() > 0 && meta.bytesOut.sum() > 0, "counted under ws-meta");
    }

    @Test
    void whatIsNotOneJsonTextIsDroppedAndCounted() throws Exception {
        int port = serve();
        live.publish("strict");
        live.send("strict", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/strict/meta", 5_000)) {
            assertEquals("onMetaData", json(c).getString("type"));
            await("subscribed", () -> meta.viewers.sum() == 1);
            for (String bad : new String[] {"not json", "{\"a\":1} {\"b\":2}", "{a:1}", "[1,]", "", "{\"x\":NaN}"}) {
                sendText(c, bad);
            }
            c.send(Frame.BINARY, true, "{\"binary\":true}".getBytes(StandardCharsets.UTF_8));
            sendText(c, "  \"a string is JSON too\"  ");
            JsonObject m = json(c);
            assertEquals("a string is JSON too", m.getString("data"), "the only one that went through: " + m.encode());
            assertEquals(7, live.counters.dataMessagesDroppedInvalid.sum());
            assertEquals(0, meta.violations.sum(), "dropped, not closed");
        }
    }

    @Test
    void aMessageOf64KiBGoesThroughAndOneByteMoreClosesTheSocket() throws Exception {
        int port = serve();
        live.publish("large");
        live.send("large", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/large/meta", 5_000)) {
            assertEquals("onMetaData", json(c).getString("type"));
            await("subscribed", () -> meta.viewers.sum() == 1);
            String largest = "\"" + "x".repeat(JsonMetadata.MAX_MESSAGE_BYTES - 2) + "\"";
            sendText(c, largest);
            assertEquals(JsonMetadata.MAX_MESSAGE_BYTES - 2, json(c).getString("data").length());
            // in pieces, each small: the message as a whole is what is bounded
            byte[] half = ("[\"" + "y".repeat(JsonMetadata.MAX_MESSAGE_BYTES / 2)).getBytes(StandardCharsets.US_ASCII);
            c.send(Frame.TEXT, false, half);
            c.send(0, true, half);
            assertEquals(WsSocket.CLOSE_TOO_BIG, closeCode(c));
        }
        await("the subscriber left", () -> meta.viewers.sum() == 0);
        assertEquals(1, meta.violations.sum());
    }

    @Test
    void aClientOverTheRateHasMessagesDroppedAndOneThatKeepsFloodingIsClosed() throws Exception {
        int port = serve();
        live.publish("flood");
        live.send("flood", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/flood/meta", 5_000)) {
            assertEquals("onMetaData", json(c).getString("type"));
            await("subscribed", () -> meta.viewers.sum() == 1);
            // a burst past the rate: the rest is dropped and counted, and the client stays
            int burst = MetaSocket.MAX_MESSAGES_PER_SECOND + 20;
            for (int i = 0; i < burst; i++) {
                sendText(c, "{\"n\":" + i + "}");
            }
            Thread.sleep(1_100); // the rate's tokens come back
            sendText(c, "{\"end\":true}");
            int received = 0;
            for (JsonObject m; !(m = json(c)).getJsonObject("data").containsKey("end"); ) {
                received++;
            }
            long dropped = live.counters.dataMessagesDroppedRateLimit.sum();
            assertTrue(received >= MetaSocket.MAX_MESSAGES_PER_SECOND && received < burst, received + " received");
            assertEquals(burst - received, dropped, received + " received");
            assertEquals(0, meta.violations.sum());

            // and on, far past it: closed
            for (int i = 0; i < MetaSocket.MAX_MESSAGES_PER_SECOND + MetaSocket.FLOOD_DROPS + 50; i++) {
                sendText(c, "{\"n\":" + i + "}");
            }
            assertEquals(WsSocket.CLOSE_POLICY, closeCode(c), "closed for flooding");
            assertTrue(live.counters.dataMessagesDroppedRateLimit.sum() > MetaSocket.FLOOD_DROPS,
                    live.counters.dataMessagesDroppedRateLimit.sum() + " dropped");
        }
        await("the subscriber left", () -> meta.viewers.sum() == 0);
        assertEquals(1, meta.violations.sum());
    }

    @Test
    void aNameNotLiveIs404BeforeTheUpgradeAndAStoppedStreamTakesNoMessage() throws Exception {
        int port = serve();
        try (RawWebSocket c = new RawWebSocket(port, "/nobody/meta", 5_000)) {
            assertFalse(c.upgraded());
            assertTrue(c.status.startsWith("HTTP/1.1 404"), c.status);
        }
        assertEquals(0, live.hubs.size(), "no hub");
        live.publish("gone");
        live.send("gone", 30);
        try (RawWebSocket c = new RawWebSocket(port, "/gone/meta", 5_000)) {
            assertEquals("onMetaData", json(c).getString("type"));
            await("subscribed", () -> meta.viewers.sum() == 1);
            live.stop("gone");
            await("the hub knows", () -> {
                sendText(c, "{\"late\":true}");
                return live.counters.dataMessagesDroppedNotLive.sum() > 0;
            });
            assertEquals(1, meta.viewers.sum(), "the subscriber stays for the next publish");
        }
    }

    /** fMP4 viewers of the same stream get nothing of the data channel: no text message in their fragments. */
    @Test
    void webSocketFmp4ViewersGetNoDataMessage() throws Exception {
        int port = serve();
        live.publish("both");
        live.send("both", 30);
        try (RawWebSocket video = new RawWebSocket(port, "/both/ws", 5_000);
             RawWebSocket data = new RawWebSocket(port, "/both/meta", 5_000)) {
            assertEquals(Frame.TEXT, message(video).opcode(), "the codecs");
            assertEquals(Frame.BINARY, message(video).opcode(), "the init");
            assertEquals("onMetaData", json(data).getString("type"));
            await("both playing", () -> meta.viewers.sum() == 1
                    && live.counters.protocol(WsPlayback.PROTOCOL).viewers.sum() == 1);
            sendText(data, "{\"hello\":1}");
            assertEquals("message", json(data).getString("type"));
            live.send("both", 40);
            for (int i = 0; i < 35; i++) {
                assertEquals(Frame.BINARY, message(video).opcode(), "fragment " + i);
            }
        }
    }
}
