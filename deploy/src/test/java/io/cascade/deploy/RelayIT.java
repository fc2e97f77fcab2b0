package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relays against nginx-rtmp, a server nobody here wrote: Cascade pulls a stream ffmpeg publishes to nginx, pushes a
 * stream ffmpeg publishes to Cascade into nginx, and ffmpeg decodes each result. Driven through the API as an
 * operator would, including its refusals.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RelayIT {
    private static final int SECONDS = 4;
    @TempDir
    Path dir;
    private NginxRtmp nginx;
    private CascadeNode node;
    private int rtmp;
    private int api;

    @BeforeEach
    void start() throws Exception {
        nginx = NginxRtmp.start(dir);
        rtmp = Clients.freePort();
        api = Clients.freePort();
        node = Clients.startSingle("relay", rtmp, 0, "api.port", String.valueOf(api), "data.dir",
                dir.resolve("data").toString());
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private JsonObject call(String verb, String... params) throws Exception {
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/" + verb + query(params));
        JsonObject body = new JsonObject(r.body());
        body.put("httpStatus", r.statusCode());
        return body;
    }

    private static String query(String... params) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < params.length; i += 2) {
            q.append(q.isEmpty() ? "?" : "&").append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    private JsonObject relay(String id) throws Exception {
        JsonArray all = call("listPullPushConfig").getJsonArray("data");
        for (int i = 0; i < all.size(); i++) {
            if (all.getJsonObject(i).getString("id").equals(id)) {
                return all.getJsonObject(i);
            }
        }
        throw new AssertionError("no relay " + id + " in " + all);
    }

    @Test
    void aPullFromNginxRtmpIsPublishedHereAndComesBackAfterItsSourceReturns() throws Exception {
        try (ExternalProcess source = ExternalProcess.start("publish-nginx", ffmpegPublish(nginx.url("src"), 60))) {
            // EMS's CLI types verbs in lower case; the query is the kind a token travels in, and never shown
            JsonObject added = call("pullstream", "uri", nginx.url("src") + "?secret=hush", "localStreamName",
                    "pulled");
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            String id = added.getJsonObject("data").getString("id");
            assertFalse(added.encode().contains("hush"), "the URI's query is not echoed: " + added.encode());
            Clients.awaitLive(api, "pulled", true, source);
            Clients.assertDecodes("pulled", ffmpegDecode(rtmpUrl(rtmp, "pulled"), SECONDS), SECONDS);
            JsonObject listed = relay(id);
            assertEquals("running", listed.getJsonObject("status").getString("state"), listed.encode());
            assertEquals("relay", listed.getString("node"));
            assertFalse(listed.encode().contains("hush"), listed.encode());

            // the source goes away and comes back: keepAlive connects again, and the stream is back
            source.kill();
            Clients.awaitLive(api, "pulled", false, source);
            try (ExternalProcess again = ExternalProcess.start("publish-nginx-again",
                    ffmpegPublish(nginx.url("src"), 60))) {
                Clients.awaitLive(api, "pulled", true, again);
                Clients.assertDecodes("pulled-again", ffmpegDecode(rtmpUrl(rtmp, "pulled"), SECONDS), SECONDS);
                assertTrue(relay(id).getJsonObject("status").getLong("attempts") >= 2, relay(id).encode());
            }

            JsonObject removed = call("removePullPushConfig", "id", id);
            assertEquals("SUCCESS", removed.getString("status"), removed.encode());
            Clients.awaitLive(api, "pulled", false, null);
            assertEquals(0, call("listPullPushConfig").getJsonArray("data").size());
        }
    }

    @Test
    void aPushToNginxRtmpCarriesAStreamPublishedHere() throws Exception {
        try (ExternalProcess publisher = ExternalProcess.start("publish-cascade",
                ffmpegPublish(rtmpUrl(rtmp, "local"), 60))) {
            Clients.awaitLive(api, "local", true, publisher);
            JsonObject added = call("pushStream", "uri", "rtmp://127.0.0.1:" + nginx.port + "/live",
                    "localStreamName", "local", "targetStreamName", "pushed");
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            String id = added.getJsonObject("data").getString("id");
            Await.until(Duration.ofSeconds(15), () -> relay(id).getJsonObject("status").getString("state"),
                    "running"::equals, state -> "the push is " + state);
            Clients.assertDecodes("pushed", ffmpegDecode(nginx.url("pushed"), SECONDS), SECONDS);
            JsonObject again = call("pushStream", "uri", "rtmp://127.0.0.1:" + nginx.port + "/live",
                    "localStreamName", "local", "targetStreamName", "pushed");
            assertEquals(400, again.getInteger("httpStatus"), "the same push twice: " + again.encode());

            // our publisher goes and comes back: the push stays on the target and carries the new publish
            publisher.kill();
            Clients.awaitLive(api, "local", false, publisher);
            try (ExternalProcess back = ExternalProcess.start("publish-cascade-again",
                    ffmpegPublish(rtmpUrl(rtmp, "local"), 60))) {
                Clients.awaitLive(api, "local", true, back);
                Clients.assertDecodes("pushed-after-republish", ffmpegDecode(nginx.url("pushed"), SECONDS), SECONDS);
                assertEquals(1L, relay(id).getJsonObject("status").getLong("attempts"),
                        "the push kept its connection: " + relay(id).encode());
            }
        }
    }

    @Test
    void badRelaysAreRefusedWithAReasonAndADeadSourceIsRetriedAndCounted() throws Exception {
        JsonObject scheme = call("pullStream", "uri", "gopher://127.0.0.1/live/x", "localStreamName", "x");
        assertEquals(400, scheme.getInteger("httpStatus"), scheme.encode());
        assertTrue(scheme.getString("description").contains("scheme"), scheme.encode());
        for (String[] bad : new String[][]{{"uri", "rtmp://127.0.0.1/live"}, {"uri", "rtmp://h:0/live/x"},
                {"uri", "rtmp://user:s3cr3tpw@127.0.0.1/live/x"}, {"uri", "rtmp://127.0.0.1/live/x", "keepAlive", "2"}}) {
            String[] params = java.util.Arrays.copyOf(bad, bad.length + 2);
            params[bad.length] = "localStreamName";
            params[bad.length + 1] = "x";
            JsonObject refused = call("pullStream", params);
            assertEquals(400, refused.getInteger("httpStatus"), String.join(" ", bad) + ": " + refused.encode());
            assertFalse(refused.encode().contains("s3cr3tpw"), "credentials are not echoed: " + refused.encode());
        }
        assertEquals(400, call("pullStream", "uri", nginx.url("a"), "localStreamName", "../x").getInteger("httpStatus"));
        assertEquals(400, call("pullStream", "localStreamName", "x").getInteger("httpStatus"));
        JsonObject foreign = call("pullStream", "uri", nginx.url("a"), "localStreamName", "x", "forceTcp", "0");
        assertEquals(400, foreign.getInteger("httpStatus"), "an RTSP option on an RTMP pull: " + foreign.encode());
        assertTrue(foreign.getString("description").contains("forceTcp"), foreign.encode());
        assertEquals(404, call("removePullPushConfig", "id", "pull-nothing").getInteger("httpStatus"));

        int dead = Clients.freePort(); // nothing listens there
        JsonObject added = call("pullStream", "uri", "rtmp://127.0.0.1:" + dead + "/live/gone", "localStreamName",
                "gone");
        String id = added.getJsonObject("data").getString("id");
        JsonObject twice = call("pullStream", "uri", nginx.url("other"), "localStreamName", "gone");
        assertEquals(400, twice.getInteger("httpStatus"), "a second pull to one name: " + twice.encode());
        JsonObject state = Await.until(Duration.ofSeconds(15), () -> relay(id).getJsonObject("status"),
                s -> s.getLong("attempts") >= 3, s -> "attempts against a dead source: " + s);
        assertTrue(state.getString("lastError").contains("cannot connect"), state.encode());
        assertEquals("waiting", state.getString("state"), state.encode());
        assertTrue(node.counters().relayAttempts.sum() >= 3, "attempts are counted for the metrics");
    }

    @Test
    void aRelayFileStartsItsRelaysWithTheNodeAndAMistakeInItStopsTheNode() throws Exception {
        Path file = dir.resolve("relays.yaml");
        java.nio.file.Files.writeString(file, String.join("\n",
                "- kind: pull",
                "  uri: " + nginx.url("src") + "?k=v&x=y",
                "  localStreamName: fromfile",
                "  keepAlive: true", ""));
        node.stop();
        node = null;
        rtmp = Clients.freePort();
        api = Clients.freePort();
        try (ExternalProcess source = ExternalProcess.start("publish-nginx", ffmpegPublish(nginx.url("src"), 60))) {
            node = Clients.startSingle("relay", rtmp, 0, "api.port", String.valueOf(api), "data.dir",
                    dir.resolve("data").toString(), "relay.file", file.toString());
            Clients.awaitLive(api, "fromfile", true, source);
            Clients.assertDecodes("fromfile", ffmpegDecode(rtmpUrl(rtmp, "fromfile"), SECONDS), SECONDS);
        }
        java.nio.file.Files.writeString(file, "- kind: pull\n  uri: gopher://x/live/y\n  localStreamName: y\n");
        io.cascade.settings.SettingsException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.cascade.settings.SettingsException.class,
                () -> NodeConfig.of(java.util.Map.of("relay.file", file.toString())));
        assertTrue(e.getMessage().contains("relay.file") && e.getMessage().contains("relay 0")
                && e.getMessage().contains("gopher"), e.getMessage());
    }

    @Test
    void overTlsAPullAndAPushTrustOnlyWhatTheyAreToldTo() throws Exception {
        TestCa ca = TestCa.create("relay-it");
        Path[] pair = ca.issue("rtmps-target", 0x2001);
        int targetRtmp = Clients.freePort();
        int targetRtmps = Clients.freePort();
        int targetApi = Clients.freePort();
        CascadeNode target = Clients.startSingle("tls-target", targetRtmp, 0, "rtmps.port", String.valueOf(targetRtmps),
                "tls.cert", pair[0].toString(), "tls.key", pair[1].toString(), "api.port", String.valueOf(targetApi));
        try (ExternalProcess publisher = ExternalProcess.start("publish-target",
                ffmpegPublish(rtmpUrl(targetRtmp, "secret"), 90))) {
            String source = "rtmps://127.0.0.1:" + targetRtmps + "/live/secret";
            // this node trusts the JVM's CAs only: the test CA's certificate is refused, and said so
            JsonObject untrusted = call("pullStream", "uri", source, "localStreamName", "untrusted");
            String untrustedId = untrusted.getJsonObject("data").getString("id");
            JsonObject refused = Await.until(Duration.ofSeconds(15), () -> relay(untrustedId).getJsonObject("status"),
                    st -> st.getLong("attempts") >= 2, st -> "attempts: " + st);
            assertTrue(refused.getString("lastError").toLowerCase(java.util.Locale.ROOT).matches(
                    ".*(certif|pkix|ssl|handshake).*"), refused.encode());
            assertEquals("SUCCESS", call("removePullPushConfig", "id", untrustedId).getString("status"));

            node.stop();
            node = null;
            rtmp = Clients.freePort();
            api = Clients.freePort();
            node = Clients.startSingle("relay", rtmp, 0, "api.port", String.valueOf(api), "data.dir",
                    dir.resolve("data-tls").toString(), "relay.tls.ca", ca.dir.resolve("ca.pem").toString());
            assertEquals("SUCCESS", call("pullStream", "uri", source, "localStreamName", "overtls").getString("status"));
            Clients.awaitLive(api, "overtls", true, publisher);
            Clients.assertDecodes("pulled-over-tls", ffmpegDecode(rtmpUrl(rtmp, "overtls"), SECONDS), SECONDS);

            JsonObject push = call("pushStream", "uri", "rtmps://127.0.0.1:" + targetRtmps + "/live",
                    "localStreamName", "overtls", "targetStreamName", "back");
            assertEquals("SUCCESS", push.getString("status"), push.encode());
            Clients.awaitLive(targetApi, "back", true, publisher);
            Clients.assertDecodes("pushed-over-tls", ffmpegDecode(rtmpUrl(targetRtmp, "back"), SECONDS), SECONDS);
        } finally {
            target.stop();
        }
    }

    @Test
    void relaysComeBackWithTheNodeAfterARestart() throws Exception {
        try (ExternalProcess source = ExternalProcess.start("publish-nginx", ffmpegPublish(nginx.url("src"), 90))) {
            JsonObject added = call("pullStream", "uri", nginx.url("src"), "localStreamName", "kept");
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            Clients.awaitLive(api, "kept", true, source);
            node.stop();
            node = null;
            // the whole cluster (one node) restarts on the same data.dir (on new ports: the old ones may linger)
            rtmp = Clients.freePort();
            api = Clients.freePort();
            node = Clients.startSingle("relay", rtmp, 0, "api.port", String.valueOf(api), "data.dir",
                    dir.resolve("data").toString());
            Clients.awaitLive(api, "kept", true, source);
            Clients.assertDecodes("kept", ffmpegDecode(rtmpUrl(rtmp, "kept"), SECONDS), SECONDS);
        }
    }
}
