package io.cascade.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cascade.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser player harness itself, without Cascade: ffmpeg writes live HLS (fMP4 segments), DASH and audio-only
 * HLS into a directory that a loopback HTTP server serves with CORS headers, and hls.js and dash.js must play them
 * from the harness's page on another origin. Served without CORS headers, the browser must refuse. When a Cascade
 * test fails in the browser, this one tells whether the harness or the server is at fault.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserPlayerIT {
    private static final int SECONDS = 6;
    private static final Map<String, String> TYPES = Map.of(".m3u8", "application/vnd.apple.mpegurl",
            ".mpd", "application/dash+xml", ".m4s", "video/iso.segment", ".mp4", "video/mp4");
    private static final List<ExternalProcess> encoders = new ArrayList<>();
    private static Path dir;
    private static HttpServer withCors;
    private static HttpServer withoutCors;

    @BeforeAll
    static void liveStreams() throws Exception {
        BrowserPlayer.requireAvailable();
        dir = Files.createTempDirectory("cascade-browser-it");
        for (String sub : List.of("hls", "dash", "audio")) {
            Files.createDirectories(dir.resolve(sub));
        }
        List<String> hls = List.of("-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
                "-hls_flags", "delete_segments+independent_segments", "-hls_segment_type", "fmp4");
        encoders.add(ExternalProcess.start("fixture-hls", ffmpeg(true, true, hls, "hls/index.m3u8")));
        encoders.add(ExternalProcess.start("fixture-dash", ffmpeg(true, true, List.of("-f", "dash",
                "-seg_duration", "1", "-window_size", "10", "-extra_window_size", "5", "-use_template", "1",
                "-use_timeline", "1", "-adaptation_sets", "id=0,streams=v id=1,streams=a"), "dash/manifest.mpd")));
        encoders.add(ExternalProcess.start("fixture-audio", ffmpeg(false, true, hls, "audio/index.m3u8")));
        withCors = serve(true);
        withoutCors = serve(false);
        Await.until("the fixture streams appear", Duration.ofSeconds(20), () -> {
            for (ExternalProcess e : encoders) {
                assertTrue(e.isAlive(), () -> "ffmpeg fixture died: " + e.describe());
            }
            return segments("hls/index.m3u8") >= 4 && segments("audio/index.m3u8") >= 4
                    && Files.exists(dir.resolve("dash/chunk-stream0-00004.m4s"));
        });
    }

    @AfterAll
    static void stop() throws Exception {
        for (ExternalProcess e : encoders) {
            e.stop();
        }
        for (HttpServer s : new HttpServer[] {withCors, withoutCors}) {
            if (s != null) {
                s.stop(0);
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void hlsJsPlaysLiveFmp4HlsFromAnotherOrigin() throws Exception {
        BrowserPlayer.Result r = BrowserPlayer.play("hls", url(withCors, "hls/index.m3u8"), SECONDS);
        assertTrue(r.ok(), r::describe);
        assertTrue(r.videoWidth() == 320 && r.videoHeight() == 240, r::describe);
        assertFalse(r.pageOrigin().isEmpty() || url(withCors, "").startsWith(r.pageOrigin() + "/"), r::describe);
    }

    @Test
    void dashJsPlaysLiveDash() throws Exception {
        // ffmpeg's MPD asks for a presentation delay of one segment, which leaves dash.js no headroom.
        BrowserPlayer.Result r = BrowserPlayer.play("dash", url(withCors, "dash/manifest.mpd"), SECONDS,
                "--live-delay", "3");
        assertTrue(r.ok(), r::describe);
        assertTrue(r.videoWidth() == 320 && r.videoHeight() == 240, r::describe);
    }

    @Test
    void hlsJsPlaysAudioOnlyHls() throws Exception {
        BrowserPlayer.Result r = BrowserPlayer.play("hls", url(withCors, "audio/index.m3u8"), SECONDS, "--audio-only");
        assertTrue(r.ok(), r::describe);
        assertTrue(r.audioBytes() > 0 && r.videoWidth() == 0, r::describe);
    }

    @Test
    void withoutCorsHeadersTheBrowserRefusesTheStream() throws Exception {
        for (String[] c : new String[][] {{"hls", "hls/index.m3u8"}, {"dash", "dash/manifest.mpd"}}) {
            BrowserPlayer.Result r = BrowserPlayer.play(c[0], url(withoutCors, c[1]), SECONDS);
            assertFalse(r.ok(), r::describe);
            assertFalse(r.fatalErrors().isEmpty(), r::describe);
            assertTrue(r.errors().stream().anyMatch(e -> e.contains("CORS")), r::describe);
        }
    }

    /** ffmpeg encoding testsrc2 and/or a sine tone in real time (each input paced by its own -re), for at most 150 s. */
    private static List<String> ffmpeg(boolean video, boolean audio, List<String> format, String out) {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"));
        if (video) {
            cmd.addAll(List.of("-re", "-f", "lavfi", "-t", "150", "-i", "testsrc2=size=320x240:rate=25"));
        }
        if (audio) {
            cmd.addAll(List.of("-re", "-f", "lavfi", "-t", "150", "-i", "sine=frequency=440:sample_rate=44100"));
        }
        if (video) {
            cmd.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt",
                    "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"));
        }
        cmd.addAll(List.of("-c:a", "aac", "-b:a", "64k"));
        cmd.addAll(format);
        cmd.add(dir.resolve(out).toString());
        return cmd;
    }

    private static HttpServer serve(boolean cors) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext("/", x -> {
            try {
                respond(x, cors);
            } finally {
                x.close();
            }
        });
        s.start();
        return s;
    }

    private static void respond(HttpExchange x, boolean cors) throws IOException {
        if (cors) {
            x.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        }
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        Path file = dir.resolve(x.getRequestURI().getPath().substring(1)).normalize();
        if (!file.startsWith(dir) || !Files.isRegularFile(file) || !"GET".equals(x.getRequestMethod())) {
            x.sendResponseHeaders(404, -1);
            return;
        }
        byte[] body;
        try {
            body = Files.readAllBytes(file);
        } catch (IOException | UncheckedIOException e) { // a segment ffmpeg just deleted
            x.sendResponseHeaders(404, -1);
            return;
        }
        String name = file.getFileName().toString();
        x.getResponseHeaders().set("Content-Type",
                TYPES.getOrDefault(name.substring(Math.max(0, name.lastIndexOf('.'))), "application/octet-stream"));
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
    }

    private static String url(HttpServer s, String path) {
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/" + path;
    }

    private static long segments(String playlist) throws IOException {
        Path p = dir.resolve(playlist);
        return Files.exists(p) ? Files.readAllLines(p).stream().filter(l -> l.startsWith("#EXTINF")).count() : 0;
    }
}
