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

import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rtsp:// pulls against GStreamer's RTSP server (gst-rtsp-server, driven by src/test/python/rtsp_source.py), a server
 * nobody here wrote: H.264 and AAC over TCP interleaved, over UDP, and behind Digest and Basic authentication. Each
 * source serves one lower transport only, so a pull that used the other would fail; a pull with httpProxy=self
 * comes tunnelled over HTTP, which the source reports at PLAY. Cascade pulls through the API as
 * an operator would, and ffmpeg decodes the result over RTMP.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RtspRelayIT {
    private static final int SECONDS = 4;
    /** Debian's interpreter, which has Debian's python3-gi: a python3 earlier on PATH (pyenv, a venv) may not. */
    static final String PYTHON = "/usr/bin/python3";
    private static final Path SOURCE_SCRIPT = Path.of("src", "test", "python", "rtsp_source.py");
    @TempDir
    Path dir;
    private CascadeNode node;
    private int rtmp;
    private int api;
    private int rtsp;
    private final List<ExternalProcess> sources = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        rtmp = Clients.freePort();
        api = Clients.freePort();
        rtsp = Clients.freePort();
        int udp = Clients.freePort() & ~1; // a few pairs of its own, not the default range other tests use
        node = Clients.startSingle("rtsprelay", rtmp, 0, "api.port", String.valueOf(api), "data.dir",
                dir.resolve("data").toString(), "rtsp.port", String.valueOf(rtsp), "rtsp.udp.ports",
                udp + "-" + (udp + 9));
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop();
        }
        for (ExternalProcess p : sources) {
            p.kill(); // by its own handle, never by name
        }
    }

    /** GStreamer serving rtsp://127.0.0.1:port/cam over one transport, optionally behind a password. */
    private ExternalProcess source(int port, String transport, String... auth) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SOURCE_SCRIPT.toString(), String.valueOf(port), "cam",
                transport));
        cmd.addAll(List.of(auth));
        ExternalProcess p = ExternalProcess.start("gst-rtsp-" + transport, cmd);
        sources.add(p);
        p.awaitOutput("serving", 20);
        return p;
    }

    private JsonObject call(String verb, String... params) throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < params.length; i += 2) {
            q.append(q.isEmpty() ? "?" : "&").append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = Http.getText("http://127.0.0.1:" + api + "/api/" + verb + q);
        JsonObject body = new JsonObject(r.body());
        body.put("httpStatus", r.statusCode());
        return body;
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

    private String pull(String uri, String local, String... more) throws Exception {
        List<String> params = new ArrayList<>(List.of("uri", uri, "localStreamName", local));
        params.addAll(List.of(more));
        JsonObject added = call("pullStream", params.toArray(String[]::new));
        assertEquals("SUCCESS", added.getString("status"), added.encode());
        return added.getJsonObject("data").getString("id");
    }

    @Test
    void aPullOverTcpIsPublishedHereDecodesAndComesBackAfterItsSourceReturns() throws Exception {
        int port = Clients.freePort();
        ExternalProcess source = source(port, "tcp");
        String id = pull("rtsp://127.0.0.1:" + port + "/cam", "cam");
        Clients.awaitLive(api, "cam", true, source);
        Clients.assertDecodes("rtsp-tcp", ffmpegDecode(rtmpUrl(rtmp, "cam"), SECONDS), SECONDS);
        assertEquals("running", relay(id).getJsonObject("status").getString("state"), relay(id).encode());

        // the source goes away and comes back on the same port: keepAlive connects again
        source.kill();
        Clients.awaitLive(api, "cam", false, source);
        ExternalProcess again = source(port, "tcp");
        Clients.awaitLive(api, "cam", true, again);
        Clients.assertDecodes("rtsp-tcp-again", ffmpegDecode(rtmpUrl(rtmp, "cam"), SECONDS), SECONDS);
        assertTrue(relay(id).getJsonObject("status").getLong("attempts") >= 2, relay(id).encode());

        assertEquals("SUCCESS", call("removePullPushConfig", "id", id).getString("status"));
        Clients.awaitLive(api, "cam", false, null);
    }

    @Test
    void aPullTunnelledOverHttpToTheServerItselfDecodes() throws Exception {
        int port = Clients.freePort();
        ExternalProcess source = source(port, "tcp");
        // first, that this gst-rtsp-server takes tunnels at all: a GET with a cookie is answered 200 tunnelled
        try (Socket probe = new Socket("127.0.0.1", port)) {
            probe.setSoTimeout(5_000);
            probe.getOutputStream().write(("GET /cam HTTP/1.0\r\nx-sessioncookie: probe" + port
                    + "\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[512];
            int n = probe.getInputStream().read(head);
            String answer = new String(head, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.0 200") && answer.contains("application/x-rtsp-tunnelled"),
                    "gst-rtsp-server does not accept RTSP-over-HTTP tunnels: " + answer);
        }
        String id = pull("rtsp://127.0.0.1:" + port + "/cam?token=t0ps3cret", "camhttp", "httpProxy", "self");
        Clients.awaitLive(api, "camhttp", true, source);
        source.awaitOutput("play tunnelled=True", 10); // the server saw the session come through a tunnel
        assertFalse(source.stdout().contains("play tunnelled=False"), source.stdout());
        Clients.assertDecodes("rtsp-http", ffmpegDecode(rtmpUrl(rtmp, "camhttp"), SECONDS), SECONDS);
        JsonObject listed = relay(id);
        assertEquals("running", listed.getJsonObject("status").getString("state"), listed.encode());
        assertFalse(call("listPullPushConfig").encode().contains("t0ps3cret"), "the query is never listed");
        assertEquals("SUCCESS", call("removePullPushConfig", "id", id).getString("status"));
        Clients.awaitLive(api, "camhttp", false, null);
    }

    @Test
    void aPullTunnelledThroughAnHttpProxySendsItAbsoluteFormTargets() throws Exception {
        int port = Clients.freePort();
        ExternalProcess source = source(port, "tcp");
        try (ForwardingProxy proxy = new ForwardingProxy()) {
            String id = pull("rtsp://127.0.0.1:" + port + "/cam", "camproxy", "httpProxy",
                    "127.0.0.1:" + proxy.port());
            Clients.awaitLive(api, "camproxy", true, source);
            source.awaitOutput("play tunnelled=True", 10);
            Clients.assertDecodes("rtsp-http-proxy", ffmpegDecode(rtmpUrl(rtmp, "camproxy"), SECONDS), SECONDS);
            String target = "http://127.0.0.1:" + port + "/cam HTTP/1.0";
            assertTrue(proxy.requests.contains("GET " + target) && proxy.requests.contains("POST " + target),
                    proxy.requests.toString());
            assertEquals("SUCCESS", call("removePullPushConfig", "id", id).getString("status"));
            Clients.awaitLive(api, "camproxy", false, null);
        }
    }

    /**
     * The least an HTTP proxy does for a tunnel: takes an absolute-form request, sends it on in origin form to the
     * host it names and copies bytes both ways until either side closes. Request lines it saw are kept.
     */
    private static final class ForwardingProxy implements AutoCloseable {
        final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.net.ServerSocket server;
        private final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();

        ForwardingProxy() throws java.io.IOException {
            server = new java.net.ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress());
            daemon(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        open.add(client);
                        daemon(() -> serve(client));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "test-http-proxy");
            t.setDaemon(true);
            t.start();
        }

        private void serve(Socket client) {
            try {
                java.io.InputStream in = client.getInputStream();
                java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
                while (head.size() < 8192) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.write(b);
                    String h = head.toString(StandardCharsets.ISO_8859_1);
                    if (h.endsWith("\r\n\r\n")) {
                        break;
                    }
                }
                String h = head.toString(StandardCharsets.ISO_8859_1);
                String line = h.substring(0, h.indexOf("\r\n"));
                requests.add(line);
                String[] parts = line.split(" ");
                java.net.URI target = java.net.URI.create(parts[1]);
                Socket upstream = new Socket(target.getHost(), target.getPort());
                open.add(upstream);
                String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
                upstream.getOutputStream().write((parts[0] + " " + path + " " + parts[2]
                        + h.substring(line.length())).getBytes(StandardCharsets.ISO_8859_1));
                daemon(() -> copy(upstream, client));
                copy(client, upstream);
            } catch (Exception e) {
                // the test sees the pull fail
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (java.io.IOException ignored) {
                // either side closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (java.io.IOException ignored) {
                    // already closed
                }
            }
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aPullWithForceTcp0TakesRtpOverUdp() throws Exception {
        int port = Clients.freePort();
        ExternalProcess source = source(port, "udp");
        String id = pull("rtsp://127.0.0.1:" + port + "/cam", "camudp", "forceTcp", "0");
        Clients.awaitLive(api, "camudp", true, source);
        Clients.assertDecodes("rtsp-udp", ffmpegDecode(rtmpUrl(rtmp, "camudp"), SECONDS), SECONDS);
        assertEquals("running", relay(id).getJsonObject("status").getString("state"), relay(id).encode());
    }

    @Test
    void credentialsInTheUrlAnswerDigestAndBasicAndAreNeverListed() throws Exception {
        for (String method : List.of("digest", "basic")) {
            int port = Clients.freePort();
            ExternalProcess source = source(port, "tcp", method, "cam user", "s3cr3t:pw");
            String local = "auth" + method;
            String id = pull("rtsp://cam%20user:s3cr3t%3Apw@127.0.0.1:" + port + "/cam", local);
            Clients.awaitLive(api, local, true, source);
            Clients.assertDecodes("rtsp-" + method, ffmpegDecode(rtmpUrl(rtmp, local), SECONDS), SECONDS);
            String listed = call("listPullPushConfig").encode();
            assertFalse(listed.contains("s3cr3t"), "the password is never listed: " + listed);

            // a wrong password: refused, retried with backoff, the reason shown, the stream never live
            String wrong = pull("rtsp://cam%20user:nope@127.0.0.1:" + port + "/cam", local + "-wrong");
            JsonObject state = Await.until(Duration.ofSeconds(15), () -> relay(wrong).getJsonObject("status"),
                    s -> s.getLong("attempts") >= 2, s -> "a wrong password: " + s);
            assertTrue(state.getString("lastError").contains("401"), state.encode());
            assertFalse(call("listStreams").encode().contains(local + "-wrong"));
            call("removePullPushConfig", "id", wrong);
            call("removePullPushConfig", "id", id);
        }
    }

    @Test
    void badRtspUrlsAreRefusedWithAReason() throws Exception {
        for (String[] bad : new String[][]{{"rtsp://127.0.0.1/", "no stream"}, {"rtsps://127.0.0.1/cam", "rtsps"},
                {"rtsp://127.0.0.1:0/cam", "port 0"}, {"rtsp://u:s3cr3tpw@/cam", "host"}}) {
            JsonObject refused = call("pullStream", "uri", bad[0], "localStreamName", "x");
            assertEquals(400, refused.getInteger("httpStatus"), bad[0] + ": " + refused.encode());
            assertTrue(refused.getString("description").contains(bad[1]), bad[0] + ": " + refused.encode());
            assertFalse(refused.encode().contains("s3cr3tpw"), "credentials are not echoed: " + refused.encode());
        }
        JsonObject transport = call("pullStream", "uri", "rtsp://127.0.0.1/cam", "localStreamName", "x",
                "forceTcp", "2");
        assertEquals(400, transport.getInteger("httpStatus"), transport.encode());
        assertTrue(transport.getString("description").contains("forceTcp"), transport.encode());
        for (String[] bad : new String[][]{{"proxy", "0"}, {"self", "0"}, {"a b:80", "1"}, {"proxy:0", "1"}}) {
            JsonObject refused = call("pullStream", "uri", "rtsp://127.0.0.1/cam", "localStreamName", "x",
                    "httpProxy", bad[0], "forceTcp", bad[1]);
            assertEquals(400, refused.getInteger("httpStatus"), refused.encode());
            assertTrue(refused.getString("description").contains("httpProxy"), refused.encode());
        }
    }

    @Test
    void aPushRecordsAStreamIntoAnRtspServerAndFfmpegDecodesIt() throws Exception {
        // the receiving server is Cascade's own RTSP RECORD (on this node's rtsp.port): the push announces, sets up
        // and records "local" as "pushed", and ffmpeg decodes "pushed" over RTMP
        try (ExternalProcess publisher = ExternalProcess.start("publish-local",
                Clients.ffmpegPublish(rtmpUrl(rtmp, "local"), 60))) {
            Clients.awaitLive(api, "local", true, publisher);
            JsonObject added = call("pushStream", "uri", "rtsp://127.0.0.1:" + rtsp + "/live", "localStreamName",
                    "local", "targetStreamName", "pushed");
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            String id = added.getJsonObject("data").getString("id");
            Clients.awaitLive(api, "pushed", true, publisher);
            Await.until(Duration.ofSeconds(15), () -> relay(id).getJsonObject("status").getString("state"),
                    "running"::equals, state -> "the push is " + state);
            Clients.assertDecodes("rtsp-push", ffmpegDecode(rtmpUrl(rtmp, "pushed"), SECONDS), SECONDS);
            assertEquals("SUCCESS", call("removePullPushConfig", "id", id).getString("status"));
            Clients.awaitLive(api, "pushed", false, null);
        }
    }
}
