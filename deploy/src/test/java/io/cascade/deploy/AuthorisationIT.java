package io.cascade.deploy;

import io.cascade.auth.Action;
import io.cascade.auth.UrlTokens;
import io.cascade.testing.Await;
import io.cascade.testing.CallbackServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Publish and play authorisation through real clients: a node that wants signed tokens for both (ffmpeg publishes
 * over RTMP and RTSP and plays over RTMP, RTSP, HLS and HTTP-FLV; a WebSocket client and the player page over HTTP; an
 * MPEG-TS publisher over TCP, which has nowhere to put a token), and a node that asks a callback (a small HTTP
 * service in the test) which allows, denies, or does not answer in time. Every refusal is counted, and no token
 * signature ever reaches the log.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AuthorisationIT {
    private static final String SECRET = "interop-secret-0123456789abcdef";
    private static final UrlTokens TOKENS = new UrlTokens(SECRET);
    private static final CapturedLogs LOGS = new CapturedLogs();
    private static final Set<String> SIGNATURES = ConcurrentHashMap.newKeySet();

    private static CascadeNode tokenNode;
    private static int rtmp;
    private static int rtsp;
    private static int http;
    private static int api;
    private static int tsTcp;

    private static CallbackServer callback;
    private static CascadeNode callbackNode;
    private static int cbRtmp;
    private static int cbApi;
    private static int cbTsTcp;

    @BeforeAll
    static void startNodes() throws Exception {
        LOGS.start(); // no line at any level may hold a signature
        rtmp = Clients.freePort();
        rtsp = Clients.freePort();
        http = Clients.freePort();
        api = Clients.freePort();
        tsTcp = Clients.freePort();
        int cluster = Clients.freePort();
        int udp = 20000 + 2 * (cluster % 2000);
        tokenNode = new CascadeNode(NodeConfig.of(Clients.member("auth-" + cluster, "auth-token", "ingest,origin,edge",
                rtmp, cluster, "", "rtsp.port", String.valueOf(rtsp), "rtsp.udp.ports", udp + "-" + (udp + 99),
                "http.port", String.valueOf(http), "api.port", String.valueOf(api), "ts.tcp.port", String.valueOf(tsTcp),
                "ts.tcp.stream", "ts-token", "segment.target.ms", "1000", "viewer.play.wait.ms", "3000",
                "edge.linger.ms", "1000", "auth.publish", "token", "auth.play", "token", "auth.secret", SECRET)));
        tokenNode.start().await(60, TimeUnit.SECONDS);

        // the callback: names starting "ok" are allowed, "slow" ones answered after the node stopped waiting,
        // MPEG-TS from loopback allowed (it has no query: the address decides), everything else refused
        callback = new CallbackServer(body -> {
            JsonObject asked = new JsonObject(body);
            String name = asked.getString("name");
            if (name.startsWith("slow")) {
                return new CallbackServer.Answer(200, 3_000);
            }
            boolean ok = name.startsWith("ok") || asked.getString("protocol").equals("ts")
                    && asked.getString("peer").equals("127.0.0.1");
            return CallbackServer.Answer.of(ok ? 200 : 403);
        });
        cbRtmp = Clients.freePort();
        cbApi = Clients.freePort();
        cbTsTcp = Clients.freePort();
        int cbCluster = Clients.freePort();
        callbackNode = new CascadeNode(NodeConfig.of(Clients.member("auth-cb-" + cbCluster, "auth-callback",
                "ingest,origin,edge", cbRtmp, cbCluster, "", "api.port", String.valueOf(cbApi),
                "ts.tcp.port", String.valueOf(cbTsTcp), "ts.tcp.stream", "ts-callback",
                "viewer.play.wait.ms", "3000", "edge.linger.ms", "1000",
                "auth.publish", "callback", "auth.play", "callback", "auth.callback.url", callback.url(),
                "auth.callback.timeout.ms", "800", "auth.callback.on.timeout", "deny")));
        callbackNode.start().await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopNodes() {
        try {
            if (callbackNode != null) {
                callbackNode.stop();
            }
            if (tokenNode != null) {
                tokenNode.stop();
            }
            if (callback != null) {
                callback.close();
            }
            assertNoSignatureLogged();
        } finally {
            LOGS.stop();
        }
    }

    /** A token minted by the node's API, as an operator's web application would ask for one. */
    private static String signUrl(String stream, String action, int ttl) throws Exception {
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/signUrl?stream=" + stream + "&action="
                + action + "&ttl=" + ttl);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject data = new JsonObject(r.body()).getJsonObject("data");
        assertEquals(stream, data.getString("stream"));
        return remember(data.getString("query"));
    }

    /** A token minted here with the shared secret (expires in seconds from now; negative: already expired). */
    private static String token(Action action, String stream, long expiresIn) {
        return remember(TOKENS.mint(action, stream, System.currentTimeMillis() / 1000 + expiresIn));
    }

    private static String remember(String query) {
        SIGNATURES.add(query.substring(query.indexOf("sig=") + 4));
        return query;
    }

    private static String rtspUrl(String stream, String query) {
        return "rtsp://127.0.0.1:" + rtsp + "/" + stream + (query.isEmpty() ? "" : "?" + query);
    }

    private static String httpUrl(String path, String query) {
        return "http://127.0.0.1:" + http + path + (query.isEmpty() ? "" : "?" + query);
    }

    /** A publisher that must be turned away: it ends by itself, failing, and its stream never goes live. */
    static void assertPublishRefused(String label, List<String> command, int apiPort, String stream)
            throws Exception {
        long t0 = System.nanoTime();
        ExternalProcess p = ExternalProcess.run(label, 30, command);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertNotEquals(0, p.exitCode(), label + " was not refused: " + p.describe());
        assertNotEquals(-1, p.exitCode(), label + " was left hanging, not refused: " + p.describe());
        assertTrue(ms < 15_000, label + " refused after " + ms + " ms");
        assertFalse(Http.getText("http://127.0.0.1:" + apiPort + "/api/listStreams").body()
                .contains("\"name\":\"" + stream + "\""), label + ": " + stream + " went live");
    }

    private static ExternalProcess publishRtmp(int port, String stream, String query) throws Exception {
        ExternalProcess p = ExternalProcess.start("auth-publish-" + stream,
                ffmpegPublish(rtmpUrl(port, stream) + (query.isEmpty() ? "" : "?" + query), 60));
        Clients.awaitLive(port == rtmp ? api : cbApi, stream, true, p);
        return p;
    }

    private static double metric(String name, String reason) throws Exception {
        return PromText.scrape(http).value(name, "reason", reason);
    }

    @Test
    void aPublishWithoutAGoodTokenIsRefusedOnEveryProtocolAndOneWithATokenGoesLive() throws Exception {
        double refusedBefore = tokenNode.counters().publishRefusedUnauthorised.sum();
        // RTMP: no token, a forged one, an expired one, a play token, another stream's token
        String genuine = token(Action.PUBLISH, "rtmp-in", 600);
        int at = genuine.indexOf("sig=") + 4;
        String forged = remember(genuine.substring(0, at) + (genuine.charAt(at) == '0' ? '1' : '0')
                + genuine.substring(at + 1));
        for (String q : List.of("", forged, token(Action.PUBLISH, "rtmp-in", -5), token(Action.PLAY, "rtmp-in", 600),
                token(Action.PUBLISH, "other", 600))) {
            assertPublishRefused("rtmp-refused", ffmpegPublish(rtmpUrl(rtmp, "rtmp-in") + (q.isEmpty() ? "" : "?" + q),
                    20), api, "rtmp-in");
        }
        // RTSP: 401 to the ANNOUNCE
        for (String q : List.of("", token(Action.PUBLISH, "rtsp-in", -5))) {
            assertPublishRefused("rtsp-refused", RtspIT.ffmpegRtsp(rtspUrl("rtsp-in", q), "tcp", 20, "libx264"), api,
                    "rtsp-in");
        }
        // MPEG-TS over TCP: no URL, so no token: refused, and the connection closed
        assertPublishRefused("ts-refused", TsIngestIT.ffmpegTs("tcp://127.0.0.1:" + tsTcp, 20, "libx264"), api,
                "ts-token");
        assertTrue(tokenNode.counters().publishRefusedUnauthorised.sum() - refusedBefore >= 8,
                "every refusal counted: " + tokenNode.counters().publishRefusedUnauthorised.sum());
        assertTrue(metric("cascade_publish_refusals_total", "unauthorised") >= 8);

        // with tokens: from the API for RTMP, from the shared secret for RTSP
        try (ExternalProcess a = publishRtmp(rtmp, "rtmp-in", signUrl("rtmp-in", "publish", 600));
             ExternalProcess b = ExternalProcess.start("auth-rtsp-in", RtspIT.ffmpegRtsp(
                     rtspUrl("rtsp-in", token(Action.PUBLISH, "rtsp-in", 600)), "tcp", 60, "libx264"))) {
            Clients.awaitLive(api, "rtsp-in", true, b);
            assertTrue(a.isAlive() && b.isAlive());
        }
    }

    @Test
    void aPlayWithoutAGoodTokenIsRefusedOnEveryProtocolAndOneWithATokenPlays() throws Exception {
        try (ExternalProcess pub = publishRtmp(rtmp, "show", token(Action.PUBLISH, "show", 600))) {
            double before = tokenNode.counters().playRefusedUnauthorised.sum();
            String play = token(Action.PLAY, "show", 600);
            String expired = token(Action.PLAY, "show", -5);
            String publishToken = token(Action.PUBLISH, "show", 600);

            // RTMP and RTSP: ffmpeg fails without a good token, decodes with one
            for (String q : List.of("", expired, publishToken)) {
                ExternalProcess p = ExternalProcess.run("rtmp-play-refused", 20,
                        ffmpegDecode(rtmpUrl(rtmp, "show") + (q.isEmpty() ? "" : "?" + q), 2));
                assertNotEquals(0, p.exitCode(), "RTMP play with '" + q + "': " + p.describe());
                assertNotEquals(-1, p.exitCode(), "RTMP play refused, not left waiting: " + p.describe());
                ExternalProcess r = ExternalProcess.run("rtsp-play-refused", 20,
                        RtspIT.ffmpegRtspDecode(rtspUrl("show", q), "tcp", 2));
                assertNotEquals(0, r.exitCode(), "RTSP play with '" + q + "': " + r.describe());
                assertTrue(r.stderr().contains("401"), "RTSP answers 401: " + r.describe());
            }
            Clients.assertDecodes("auth-rtmp", ffmpegDecode(rtmpUrl(rtmp, "show") + "?" + play, 3), 3);
            Clients.assertDecodes("auth-rtsp", RtspIT.ffmpegRtspDecode(rtspUrl("show", play), "tcp", 3), 3);
            Clients.assertDecodes("auth-rtsp-udp", RtspIT.ffmpegRtspDecode(rtspUrl("show", play), "udp", 3), 3);

            // HLS and DASH: every request, playlists, segments and keys; the query goes on to every URI
            for (String path : List.of("/show/index.m3u8", "/show/v/index.m3u8", "/show/ts/index.m3u8",
                    "/show/index.mpd", "/show/v/0.m4s", "/show/aes/key-0.key", "/show.flv")) {
                HttpResponse<byte[]> none = Http.get(httpUrl(path, ""));
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent(), path);
                assertEquals(403, Http.get(httpUrl(path, expired)).statusCode(), path);
                assertEquals(403, Http.get(httpUrl(path, "expires=1&sig=" + "0".repeat(64))).statusCode(), path);
            }
            String media = Await.until(Duration.ofSeconds(20), () -> Http.text(Http.get(httpUrl("/show/v/index.m3u8",
                    play))), p -> p.lines().filter(l -> l.contains(".m4s?")).count() >= 2, p -> "no segments: " + p);
            for (String line : media.split("\n")) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    assertTrue(line.endsWith("?" + play), "a segment URI carries the token: " + line);
                    assertEquals(200, Http.get(httpUrl("/show/v/" + line.substring(0, line.indexOf('?')), play))
                            .statusCode(), line);
                }
            }
            assertTrue(media.contains("#EXT-X-MAP:URI=\"init-"), media);
            assertTrue(media.matches("(?s).*#EXT-X-MAP:URI=\"init-[0-9]+\\.mp4\\?" + play + "\".*"), media);
            String mpd = Http.text(Http.get(httpUrl("/show/index.mpd", play)));
            assertTrue(mpd.contains("$Number$.m4s?" + play.replace("&", "&amp;") + "\""), mpd);
            Clients.assertDecodes("auth-hls", ffmpegDecode(httpUrl("/show/index.m3u8", play), 3), 3);
            Clients.assertDecodes("auth-flv", ffmpegDecode(httpUrl("/show.flv", play), 3), 3);

            // WebSocket: refused before the upgrade, and upgraded with the token
            assertEquals(401, wsStatus("/show/ws", ""));
            assertEquals(403, wsStatus("/show/meta", expired));
            assertEquals(101, wsStatus("/show/ws", play));

            // the player page: refused without, and with the token it hands the token on to its player
            assertEquals(401, Http.get(httpUrl("/play/show", "protocol=ws")).statusCode());
            HttpResponse<byte[]> page = Http.get(httpUrl("/play/show", "protocol=ws&" + play));
            assertEquals(200, page.statusCode());
            assertTrue(Http.text(page).contains("const query = '" + play + "';"), Http.text(page));

            assertTrue(tokenNode.counters().playRefusedUnauthorised.sum() - before >= 30,
                    "refusals counted: " + (tokenNode.counters().playRefusedUnauthorised.sum() - before));
            assertTrue(metric("cascade_play_refusals_total", "unauthorised") >= 30);
        }
    }

    /** The status of a WebSocket upgrade: 101 when it was accepted (and a first message came), else the HTTP one. */
    private static int wsStatus(String path, String query) throws Exception {
        CompletableFuture<Boolean> message = new CompletableFuture<>();
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + http + path + (query.isEmpty() ? "" : "?" + query)),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                    message.complete(true);
                                    return null;
                                }

                                @Override
                                public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                                    message.complete(true);
                                    return null;
                                }
                            }).get(10, TimeUnit.SECONDS);
            assertTrue(message.get(10, TimeUnit.SECONDS), "a message after the upgrade");
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    /**
     * A browser given one URL with a token: the player page hands it to hls.js, dash.js, mpegts.js and the WebSocket
     * player, and the playlists carry it on to every segment, so each plays in Chromium.
     */
    @Test
    void thePlayerPageWithATokenPlaysInTheBrowserWithEveryProtocol() throws Exception {
        BrowserPlayer.requireAvailable();
        try (ExternalProcess pub = publishRtmp(rtmp, "page", token(Action.PUBLISH, "page", 600))) {
            String play = token(Action.PLAY, "page", 600);
            // a few segments first, as for any HLS or DASH player joining a stream that has just begun
            Await.until(Duration.ofSeconds(20), () -> Http.text(Http.get(httpUrl("/page/v/index.m3u8", play))),
                    p -> p.lines().filter(l -> l.contains(".m4s?")).count() >= 4, p -> "no segments: " + p);
            for (String protocol : List.of("flv", "ws", "hls", "dash")) {
                BrowserPlayer.Result r = BrowserPlayer.play("page", httpUrl("/play/page", "protocol=" + protocol + "&"
                        + play), 5);
                assertTrue(r.ok(), protocol + ": " + r.describe() + "\n" + pub.describe());
            }
        }
    }

    @Test
    void aTokenMintedWithOpensslAsTheReadmeShowsPlays() throws Exception {
        try (ExternalProcess pub = publishRtmp(rtmp, "byhand", token(Action.PUBLISH, "byhand", 600))) {
            long expires = System.currentTimeMillis() / 1000 + 300;
            ExternalProcess openssl = ExternalProcess.run("openssl", 10, List.of("sh", "-c",
                    "printf 'play:byhand:" + expires + "' | openssl dgst -sha256 -hmac \"$0\" | awk '{print $NF}'",
                    SECRET));
            assertEquals(0, openssl.exitCode(), openssl.describe());
            String q = remember("expires=" + expires + "&sig=" + openssl.stdout().strip());
            Clients.assertDecodes("auth-openssl", ffmpegDecode(rtmpUrl(rtmp, "byhand") + "?" + q, 2), 2);
        }
    }

    @Test
    void signUrlChecksItsParameters() throws Exception {
        String base = "http://127.0.0.1:" + api + "/api/signUrl";
        assertEquals(400, Http.getText(base + "?stream=a/b&action=play").statusCode());
        assertEquals(400, Http.getText(base + "?stream=a&action=record").statusCode());
        assertEquals(400, Http.getText(base + "?stream=a&action=play&ttl=0").statusCode());
        assertEquals(400, Http.getText(base + "?stream=a&action=play&ttl=x").statusCode());
        HttpResponse<String> byBody = Http.sendText("POST", base, new JsonObject().put("stream", "a")
                .put("action", "play").put("ttl", 60).encode(), "Content-Type", "application/json");
        assertEquals(200, byBody.statusCode(), byBody.body());
        JsonObject data = new JsonObject(byBody.body()).getJsonObject("data");
        long expires = data.getLong("expires");
        assertTrue(Math.abs(expires - (System.currentTimeMillis() / 1000 + 60)) <= 2, byBody.body());
        assertEquals(remember(TOKENS.mint(Action.PLAY, "a", expires)), data.getString("query"));
        // a node without auth.secret has nothing to sign with
        assertEquals(409, Http.getText("http://127.0.0.1:" + cbApi + "/api/signUrl?stream=a&action=play").statusCode());
    }

    @Test
    void theCallbackAllowsDeniesAndATimeoutCountsAsDeny() throws Exception {
        double before = callbackNode.counters().publishRefusedUnauthorised.sum();
        assertPublishRefused("cb-denied", ffmpegPublish(rtmpUrl(cbRtmp, "denied") + "?whatever=1", 20), cbApi, "denied");
        long t0 = System.nanoTime();
        assertPublishRefused("cb-slow", ffmpegPublish(rtmpUrl(cbRtmp, "slow"), 20), cbApi, "slow");
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 700, "refused when the callback timed out, not before");
        assertEquals(2, callbackNode.counters().publishRefusedUnauthorised.sum() - before);
        try (ExternalProcess ok = publishRtmp(cbRtmp, "ok-cam", "user=alice");
             ExternalProcess ts = ExternalProcess.start("cb-ts", TsIngestIT.ffmpegTs("tcp://127.0.0.1:" + cbTsTcp, 60,
                     "libx264"))) {
            Clients.awaitLive(cbApi, "ts-callback", true, ts); // allowed by its address
            Clients.assertDecodes("cb-play", ffmpegDecode(rtmpUrl(cbRtmp, "ok-cam") + "?user=bob", 2), 2);
            ExternalProcess refused = ExternalProcess.run("cb-play-refused", 20, ffmpegDecode(rtmpUrl(cbRtmp,
                    "ts-callback"), 2)); // plays of it are not allowed: only MPEG-TS publishers are
            assertNotEquals(0, refused.exitCode(), refused.describe());
        }
        List<JsonObject> asked = new ArrayList<>();
        for (String request : callback.requests()) {
            assertTrue(request.startsWith("POST application/json {"), request);
            asked.add(new JsonObject(request.substring(request.indexOf('{'))));
        }
        assertTrue(asked.contains(new JsonObject().put("name", "ok-cam").put("protocol", "rtmp").put("action", "publish")
                .put("peer", "127.0.0.1").put("query", "user=alice")), asked.toString());
        assertTrue(asked.contains(new JsonObject().put("name", "ok-cam").put("protocol", "rtmp").put("action", "play")
                .put("peer", "127.0.0.1").put("query", "user=bob")), asked.toString());
        assertTrue(asked.contains(new JsonObject().put("name", "ts-callback").put("protocol", "ts")
                .put("action", "publish").put("peer", "127.0.0.1").put("query", "")), asked.toString());
    }

    /** Whatever was logged, at any level, holds none of the signatures the tests used. */
    private static void assertNoSignatureLogged() {
        List<String> lines = LOGS.lines();
        assertFalse(lines.isEmpty());
        assertFalse(SIGNATURES.isEmpty());
        for (String line : lines) {
            for (String sig : SIGNATURES) {
                if (line.contains(sig) || line.contains(SECRET)) {
                    fail("a token signature or the secret reached the log: " + line);
                }
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("unauthorised")), "refusals are logged, with reasons");
    }
}
