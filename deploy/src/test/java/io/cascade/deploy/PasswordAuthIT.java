package io.cascade.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Users and passwords ({@code auth.publish=password}, {@code auth.play=password}, {@code auth.users}) through real
 * clients, each with the password in its URL as operators hand them out: ffmpeg publishes and plays RTMP
 * ({@code rtmp://user:password@}, answering the Adobe challenge), publishes and plays RTSP (Digest), GStreamer plays
 * RTSP, ffmpeg plays HLS and HTTP-FLV (Basic); a raw RTSP client proves Basic. Wrong passwords and unknown users are
 * refused and counted, the challenge every client meets first is not, and no password reaches the log.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PasswordAuthIT {
    private static final String ENCODER = "encoder";
    private static final String ENCODER_PASSWORD = "pub-0123-secret";
    private static final String VIEWER = "viewer";
    private static final String VIEWER_PASSWORD = "watch-4567-secret";
    private static final CapturedLogs LOGS = new CapturedLogs();
    private static Path users;
    private static CascadeNode node;
    private static int rtmp;
    private static int rtsp;
    private static int http;
    private static int api;

    @BeforeAll
    static void startNode() throws Exception {
        LOGS.start(); // no line at any level may hold a password
        users = Files.createTempFile("cascade-users", ".txt");
        Files.writeString(users, "# who may publish and play\n" + ENCODER + ":" + ENCODER_PASSWORD + "\n" + VIEWER
                + ":" + VIEWER_PASSWORD + "\n");
        rtmp = Clients.freePort();
        rtsp = Clients.freePort();
        http = Clients.freePort();
        api = Clients.freePort();
        int cluster = Clients.freePort();
        int udp = 20000 + 2 * (cluster % 2000);
        node = new CascadeNode(NodeConfig.of(Clients.member("auth-pw-" + cluster, "auth-password",
                "ingest,origin,edge", rtmp, cluster, "", "rtsp.port", String.valueOf(rtsp), "rtsp.udp.ports",
                udp + "-" + (udp + 99), "http.port", String.valueOf(http), "api.port", String.valueOf(api),
                "segment.target.ms", "1000", "viewer.play.wait.ms", "3000", "edge.linger.ms", "1000",
                "auth.publish", "password", "auth.play", "password", "auth.users", users.toString())));
        node.start().await(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopNode() throws IOException {
        try {
            if (node != null) {
                node.stop();
            }
            List<String> lines = LOGS.lines();
            assertFalse(lines.isEmpty());
            for (String line : lines) {
                assertFalse(line.contains(ENCODER_PASSWORD) || line.contains(VIEWER_PASSWORD), "a password logged: "
                        + line);
            }
        } finally {
            LOGS.stop();
            Files.deleteIfExists(users);
        }
    }

    private static String rtmpUrl(String user, String password, String stream) {
        return "rtmp://" + (user == null ? "" : user + ":" + password + "@") + "127.0.0.1:" + rtmp + "/live/" + stream;
    }

    private static String rtspUrl(String user, String password, String stream) {
        return "rtsp://" + (user == null ? "" : user + ":" + password + "@") + "127.0.0.1:" + rtsp + "/" + stream;
    }

    private static String httpUrl(String user, String password, String path) {
        return "http://" + (user == null ? "" : user + ":" + password + "@") + "127.0.0.1:" + http + path;
    }

    private static void assertPublishRefused(String label, List<String> command, String stream) throws Exception {
        AuthorisationIT.assertPublishRefused(label, command, api, stream);
    }

    private static void assertPlayRefused(String label, List<String> command) throws Exception {
        ExternalProcess p = ExternalProcess.run(label, 20, command);
        assertNotEquals(0, p.exitCode(), label + " was not refused: " + p.describe());
        assertNotEquals(-1, p.exitCode(), label + " was left waiting, not refused: " + p.describe());
    }

    @Test
    void rtmpEncodersAndPlayersProveTheirPasswordsThroughTheAdobeChallenge() throws Exception {
        double publishRefused = node.counters().publishRefusedUnauthorised.sum();
        assertPublishRefused("rtmp-no-password", ffmpegPublish(rtmpUrl(null, null, "rtmp-cam"), 20), "rtmp-cam");
        assertPublishRefused("rtmp-wrong-password", ffmpegPublish(rtmpUrl(ENCODER, "guess", "rtmp-cam"), 20),
                "rtmp-cam");
        assertPublishRefused("rtmp-unknown-user", ffmpegPublish(rtmpUrl("intruder", ENCODER_PASSWORD, "rtmp-cam"),
                20), "rtmp-cam");
        assertEquals(2, node.counters().publishRefusedUnauthorised.sum() - publishRefused,
                "the wrong password and the unknown user counted, the challenge alone not");

        try (ExternalProcess pub = ExternalProcess.start("rtmp-encoder",
                ffmpegPublish(rtmpUrl(ENCODER, ENCODER_PASSWORD, "rtmp-cam"), 60))) {
            Clients.awaitLive(api, "rtmp-cam", true, pub);
            double playRefused = node.counters().playRefusedUnauthorised.sum();
            Clients.assertDecodes("rtmp-viewer", ffmpegDecode(rtmpUrl(VIEWER, VIEWER_PASSWORD, "rtmp-cam"), 3), 3);
            assertEquals(0, node.counters().playRefusedUnauthorised.sum() - playRefused, "a good viewer is no refusal");
            assertPlayRefused("rtmp-play-no-password", ffmpegDecode(rtmpUrl(null, null, "rtmp-cam"), 2));
            assertPlayRefused("rtmp-play-wrong-password", ffmpegDecode(rtmpUrl(VIEWER, "guess", "rtmp-cam"), 2));
            assertEquals(1, node.counters().playRefusedUnauthorised.sum() - playRefused);
        }
    }

    @Test
    void rtspPublishersAndPlayersProveTheirPasswordsWithDigestOrBasic() throws Exception {
        assertPublishRefused("rtsp-wrong-password", RtspIT.ffmpegRtsp(rtspUrl(ENCODER, "guess", "rtsp-cam"), "tcp", 20,
                "libx264"), "rtsp-cam");
        assertPublishRefused("rtsp-no-password", RtspIT.ffmpegRtsp(rtspUrl(null, null, "rtsp-cam"), "tcp", 20,
                "libx264"), "rtsp-cam");
        try (ExternalProcess pub = ExternalProcess.start("rtsp-encoder",
                RtspIT.ffmpegRtsp(rtspUrl(ENCODER, ENCODER_PASSWORD, "rtsp-cam"), "tcp", 60, "libx264"))) {
            Clients.awaitLive(api, "rtsp-cam", true, pub);
            double playRefused = node.counters().playRefusedUnauthorised.sum();
            Clients.assertDecodes("rtsp-digest-tcp", RtspIT.ffmpegRtspDecode(rtspUrl(VIEWER, VIEWER_PASSWORD,
                    "rtsp-cam"), "tcp", 3), 3);
            Clients.assertDecodes("rtsp-digest-udp", RtspIT.ffmpegRtspDecode(rtspUrl(VIEWER, VIEWER_PASSWORD,
                    "rtsp-cam"), "udp", 3), 3);
            ExternalProcess gst = ExternalProcess.run("rtsp-gstreamer", 40,
                    RtspIT.gstreamerPlay(rtspUrl(VIEWER, VIEWER_PASSWORD, "rtsp-cam"), "tcp"));
            assertEquals(0, gst.exitCode(), "GStreamer with the password: " + gst.describe());
            assertEquals(0, node.counters().playRefusedUnauthorised.sum() - playRefused,
                    "every client was challenged once, and none of that is a refusal");

            ExternalProcess none = ExternalProcess.run("rtsp-play-no-password", 20,
                    RtspIT.ffmpegRtspDecode(rtspUrl(null, null, "rtsp-cam"), "tcp", 2));
            assertNotEquals(0, none.exitCode(), none.describe());
            assertTrue(none.stderr().contains("401"), none.describe());
            assertPlayRefused("rtsp-play-wrong", RtspIT.ffmpegRtspDecode(rtspUrl(VIEWER, "guess", "rtsp-cam"), "tcp",
                    2));

            // Basic, as a client that does not speak Digest sends it
            String challenge = Clients.rtspDescribe(rtsp, "rtsp-cam", null);
            assertTrue(challenge.startsWith("RTSP/1.0 401"), challenge);
            int digest = challenge.indexOf("WWW-Authenticate: Digest realm=\"cascade\", nonce=\"");
            int basic = challenge.indexOf("WWW-Authenticate: Basic realm=\"cascade\"");
            assertTrue(digest > 0 && basic > digest, "Digest offered before Basic: " + challenge);
            String described = Clients.rtspDescribe(rtsp, "rtsp-cam", "Basic " + Base64.getEncoder().encodeToString(
                    (VIEWER + ":" + VIEWER_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            assertTrue(described.startsWith("RTSP/1.0 200"), described);
            assertTrue(described.contains("m=video"), described);
            assertTrue(Clients.rtspDescribe(rtsp, "rtsp-cam", "Basic " + Base64.getEncoder().encodeToString(
                    (VIEWER + ":guess").getBytes(StandardCharsets.UTF_8))).startsWith("RTSP/1.0 401"));
        }
    }

    @Test
    void httpRoutesAskForBasicAndPlayWithIt() throws Exception {
        try (ExternalProcess pub = ExternalProcess.start("http-encoder",
                ffmpegPublish(rtmpUrl(ENCODER, ENCODER_PASSWORD, "http-cam"), 60))) {
            Clients.awaitLive(api, "http-cam", true, pub);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String path : List.of("/http-cam/index.m3u8", "/http-cam/index.mpd", "/http-cam.flv",
                    "/play/http-cam")) {
                HttpResponse<Void> none = client.send(HttpRequest.newBuilder(URI.create(httpUrl(null, null, path)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(401, none.statusCode(), path);
                assertEquals("Basic realm=\"cascade\"", none.headers().firstValue("WWW-Authenticate").orElse(""), path);
                HttpResponse<Void> wrong = client.send(HttpRequest.newBuilder(URI.create(httpUrl(null, null, path)))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                (VIEWER + ":guess").getBytes(StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(401, wrong.statusCode(), "a refused password is asked for again: " + path);
            }
            HttpResponse<String> good = client.send(HttpRequest.newBuilder(URI.create(httpUrl(null, null,
                            "/http-cam/index.m3u8"))).header("Authorization", "Basic " + Base64.getEncoder()
                            .encodeToString((VIEWER + ":" + VIEWER_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, good.statusCode(), good.body());
            Clients.assertDecodes("hls-basic", ffmpegDecode(httpUrl(VIEWER, VIEWER_PASSWORD, "/http-cam/index.m3u8"), 3),
                    3);
            Clients.assertDecodes("flv-basic", ffmpegDecode(httpUrl(VIEWER, VIEWER_PASSWORD, "/http-cam.flv"), 3), 3);
        }
    }
}
