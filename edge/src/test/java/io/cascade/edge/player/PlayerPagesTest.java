package io.cascade.edge.player;

import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.testing.LiveStreams;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index and player pages over HTTP (the browser side is WebSocketFlvIT's). */
@ExtendWith(VertxExtension.class)
class PlayerPagesTest {
    /** What the router's last route answers: a path the pages passed on. */
    private static final int PASSED_ON = 418;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private LiveStreams live;
    private int port;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        live = new LiveStreams(vertx, ViewerPolicy.DEFAULT);
        PlayerPages pages = new PlayerPages(live.registry, live.playback);
        Router router = Router.router(vertx);
        router.get("/").handler(pages::index);
        router.getWithRegex(PlayerPages.PLAY_PATH_REGEX).handler(pages::play);
        router.getWithRegex(PlayerPages.LIBRARY_PATH_REGEX).handler(pages::library);
        router.route().handler(ctx -> ctx.response().setStatusCode(PASSED_ON).end());
        port = live.serve(router, new HttpServerOptions());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theIndexListsTheLiveStreamsWithALinkPerProtocol() throws Exception {
        assertTrue(get("/").body().contains("no live stream"));
        live.publish("cam-1");
        live.publish("a.b");
        String page = get("/").body();
        for (String protocol : PlayerPages.PROTOCOLS.keySet()) {
            assertTrue(page.contains("<a href=\"/play/cam-1?protocol=" + protocol + "\">"), page);
        }
        assertTrue(page.indexOf("a.b") < page.indexOf("cam-1"), "sorted by name");
    }

    @Test
    void thePlayPageLoadsTheProtocolsPlayerAndNamesTheStream() throws Exception {
        live.publish("cam");
        HttpResponse<String> ws = get("/play/cam?protocol=ws");
        assertEquals(200, ws.statusCode());
        assertEquals("text/html; charset=utf-8", ws.headers().firstValue("Content-Type").orElse(""));
        assertTrue(ws.body().contains("<script src=\"/player/ws.js\"></script>"), ws.body());
        assertTrue(ws.body().contains("const stream = 'cam';") && ws.body().contains("const protocol = 'ws';"));
        assertFalse(ws.body().contains("@STREAM@"));
        String hls = get("/play/cam").body();
        assertTrue(hls.contains("const protocol = 'hls';"), "hls without a protocol");
        // this module's tests run without the npm packages the deploy build copies in: the page says so
        assertEquals(404, get("/player/lib/hls.min.js").statusCode());
        assertTrue(hls.contains("This build has no hls.min.js"), hls);
    }

    @Test
    void badRequestsAre404AndNothingIsMade() throws Exception {
        assertEquals(404, get("/play/nobody?protocol=ws").statusCode(), "not live");
        live.publish("cam");
        assertEquals(404, get("/play/cam?protocol=rtsp").statusCode(), "no such protocol");
        assertEquals(PASSED_ON, get("/play/" + "x".repeat(129)).statusCode(), "too long a name: not a play path");
        assertEquals(404, get("/play/na%20me").statusCode());
        assertEquals(404, get("/player/lib/other.js").statusCode());
        assertEquals(0, live.hubs.size());
        // a stream called "play" keeps its HLS and DASH files
        assertEquals(PASSED_ON, get("/play/index.m3u8").statusCode());
        assertEquals(PASSED_ON, get("/play/index.mpd").statusCode());
    }
}
