package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File pulls driven through the API as an operator would: a 4 s file of the node's VOD folder published as a live
 * stream, looped and played for longer than the file over RTMP (ffmpeg decoding, timestamps rising across the seams,
 * frames at the file's rate against the wall clock) and over HLS; without loop the stream ends after the file and the
 * pull is finished, not restarted; URIs that cannot work are refused with 400.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FilePullIT {
    private static final int FILE_SECONDS = 4;
    private static final int PLAY_SECONDS = 10;
    @TempDir
    static Path dir;
    private static CascadeNode node;
    private static int rtmp;
    private static int http;
    private static int api;

    @BeforeAll
    static void start() throws Exception {
        Path vod = dir.resolve("data").resolve("vod");
        Files.createDirectories(vod);
        ExternalProcess make = ExternalProcess.run("make-pull-clip", 120, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=44100", "-t", String.valueOf(FILE_SECONDS), "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "64k", vod.resolve("clip.mp4").toString()));
        assertEquals(0, make.exitCode(), make.describe());
        rtmp = Clients.freePort();
        http = Clients.freePort();
        api = Clients.freePort();
        node = Clients.startSingle("filepull", rtmp, http, "api.port", String.valueOf(api), "data.dir",
                dir.resolve("data").toString());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    @AfterEach
    void removeRelays() throws Exception {
        RelayCalls.removeAll(api);
    }

    private static JsonObject call(String verb, String... params) throws Exception {
        return RelayCalls.call(api, verb, params);
    }

    private static String pull(String uri, String name, String... more) throws Exception {
        List<String> params = new ArrayList<>(List.of("uri", uri, "localStreamName", name));
        params.addAll(List.of(more));
        JsonObject answer = call("pullStream", params.toArray(String[]::new));
        assertEquals("SUCCESS", answer.getString("status"), answer.encode());
        return answer.getJsonObject("data").getString("id");
    }

    private static JsonObject status(String id) throws Exception {
        return RelayCalls.status(api, id);
    }

    /** framecrc lines of one stream as {dts, pts}, in the order ffmpeg wrote them. */
    private static List<long[]> packets(String framecrc, int stream) {
        List<long[]> out = new ArrayList<>();
        for (String line : framecrc.split("\n")) {
            if (line.startsWith(stream + ",")) {
                String[] f = line.split(",");
                out.add(new long[] {Long.parseLong(f[1].trim()), Long.parseLong(f[2].trim())});
            }
        }
        return out;
    }

    private static void assertRising(String what, List<long[]> packets) {
        for (int i = 1; i < packets.size(); i++) {
            assertTrue(packets.get(i)[0] > packets.get(i - 1)[0], what + ": dts " + packets.get(i - 1)[0] + " then "
                    + packets.get(i)[0] + " at packet " + i);
        }
    }

    /**
     * ffmpeg decoding for {@code seconds} of the stream: exit 0, no decoder complaint, one framecrc line a frame;
     * {@code paced}: it took about as long as it lasts (HLS players begin segments back, so they read faster).
     */
    private static ExternalProcess decode(String label, String url, int seconds, boolean paced) throws Exception {
        long started = System.nanoTime();
        ExternalProcess p = ExternalProcess.run(label, seconds + 30L, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-i", url, "-t", String.valueOf(seconds), "-map", "0:v", "-map", "0:a",
                "-f", "framecrc", "-"));
        assertEquals(0, p.exitCode(), label + ": " + p.describe());
        assertEquals("", p.stderr().strip(), label + ": ffmpeg complained");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        // at the file's rate against the wall clock: a GOP of fast start and the connection less, never much faster
        assertTrue(!paced || tookMs >= (seconds - 2) * 1000L, label + ": " + seconds + " s of stream in " + tookMs + " ms");
        return p;
    }

    @Test
    void aLoopedFilePlaysForLongerThanItselfOverRtmpAndHls() throws Exception {
        String id = pull("file://vod/clip.mp4", "looped", "loop", "1");
        Clients.awaitLive(api, "looped", true, null);
        JsonObject s = status(id);
        assertEquals("running", s.getString("state"), s.encode());

        ExternalProcess rtmpPlay = decode("looped-rtmp", Clients.rtmpUrl(rtmp, "looped"), PLAY_SECONDS, true);
        List<long[]> video = packets(rtmpPlay.stdout(), 0);
        List<long[]> audio = packets(rtmpPlay.stdout(), 1);
        assertRising("video", video);
        assertRising("audio", audio);
        long expected = PLAY_SECONDS * 25L;
        assertTrue(Math.abs(video.size() - expected) <= expected * 3 / 100, "video frames in " + PLAY_SECONDS
                + " s: " + video.size());
        assertTrue(Math.abs(audio.size() - PLAY_SECONDS * 44_100L / 1024) <= PLAY_SECONDS * 44_100L / 1024 * 3 / 100,
                "audio frames in " + PLAY_SECONDS + " s: " + audio.size());

        JsonArray streams = call("listStreams").getJsonArray("data");
        assertTrue(streams.encode().contains("\"ingestProtocol\":\"file\""), streams.encode());

        ExternalProcess hls = decode("looped-hls", "http://127.0.0.1:" + http + "/looped/index.m3u8", 6, false);
        List<long[]> hlsVideo = packets(hls.stdout(), 0);
        assertRising("hls video", hlsVideo);
        assertTrue(Math.abs(hlsVideo.size() - 150) <= 5, "HLS video frames in 6 s: " + hlsVideo.size());
        assertEquals(1, status(id).getLong("attempts"), status(id).encode());
    }

    /** Without loop the stream ends after the file, and the pull is finished: no second attempt replays it. */
    @Test
    void withoutLoopTheStreamEndsAfterTheFileAndThePullIsDone() throws Exception {
        String id = pull("file://vod/clip.mp4", "once");
        long started = System.nanoTime();
        Clients.awaitLive(api, "once", true, null);
        Clients.awaitLive(api, "once", false, null);
        long lastedMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(lastedMs >= (FILE_SECONDS - 1) * 1000L, "the stream lasted " + lastedMs + " ms");
        JsonObject done = Await.until(Duration.ofSeconds(10), () -> status(id),
                st -> "stopped".equals(st.getString("state")), st -> "never stopped: " + st);
        assertEquals("end of file", done.getString("lastError"), done.encode());
        Thread.sleep(3_000); // longer than the first backoff: a keepAlive retry would have started by now
        JsonObject still = status(id);
        assertEquals("stopped", still.getString("state"), still.encode());
        assertEquals(1, still.getLong("attempts"), still.encode());
        assertTrue(!call("listStreams").encode().contains("\"name\":\"once\""), "the stream came back");
    }

    /** A file that is not there yet: failed attempts, tried again; the stream starts once the file is there. */
    @Test
    void aMissingFileIsTriedAgainUntilItIsThere() throws Exception {
        Path later = dir.resolve("data").resolve("vod").resolve("later.mp4");
        String id = pull("file://vod/later.mp4", "later", "loop", "1");
        JsonObject waiting = Await.until(Duration.ofSeconds(10), () -> status(id),
                st -> st.getString("lastError").contains("cannot read"), st -> "no failed attempt: " + st);
        assertTrue(waiting.getString("lastError").contains("file://vod/later.mp4"), waiting.encode());
        Files.copy(dir.resolve("data").resolve("vod").resolve("clip.mp4"), later);
        try {
            Clients.awaitLive(api, "later", true, null);
            assertTrue(status(id).getLong("attempts") >= 2, status(id).encode());
        } finally {
            call("removePullPushConfig", "id", id);
        }
    }

    @Test
    void urisThatCannotWorkAreRefused() throws Exception {
        String[][] bad = {
                {"file://vod/../secret.mp4", "'..'"},
                {"file://clip.mp4", "file://<app>/<path>"},
                {"file:///etc/passwd", "file://<app>/<path>"},
                {"file://vod/clip.mp4?loop=2", "may use only"},
        };
        for (String[] b : bad) {
            JsonObject answer = call("pullStream", "uri", b[0], "localStreamName", "bad");
            assertEquals(400, answer.getInteger("httpStatus"), b[0] + ": " + answer.encode());
            assertTrue(answer.getString("description").contains(b[1]), b[0] + ": " + answer.encode());
        }
        JsonObject loop = call("pullStream", "uri", "file://vod/clip.mp4", "localStreamName", "bad", "loop", "2");
        assertEquals(400, loop.getInteger("httpStatus"), loop.encode());
        assertTrue(loop.getString("description").contains("loop must be 0 or 1"), loop.encode());
    }
}
