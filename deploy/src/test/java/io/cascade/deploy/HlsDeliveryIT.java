package io.cascade.deploy;

import io.cascade.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HLS and DASH from one node with every role: ffmpeg publishes over RTMP; ffprobe and ffmpeg read the CMAF, TS,
 * AES-128 and DASH URLs; the HTTP rules (404 without state, closed paths, CORS, caching, HEAD, Range) hold.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HlsDeliveryIT {
    static final long SEGMENT_MS = 1_000;
    private static final Pattern SEGMENT_LINE = Pattern.compile("^(?:[va]/)?(\\d+)\\.(ts|m4s)$", Pattern.MULTILINE);
    private static CascadeNode node;
    private static int rtmp;
    private static int http;

    @BeforeAll
    static void startNode() throws Exception {
        rtmp = Clients.freePort();
        http = Clients.freePort();
        node = Clients.startSingle("hls", rtmp, http, "segment.target.ms", String.valueOf(SEGMENT_MS), "edge.linger.ms", "1000", "http.linger.ms", "5000");
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    static String url(int port, String stream, String file) {
        return "http://127.0.0.1:" + port + "/" + stream + "/" + file;
    }

    /** Polls a media playlist until it lists at least {@code segments} segments. */
    static String awaitSegments(String playlistUrl, int segments, long timeoutMs) throws Exception {
        return Await.until(playlistUrl + " lists at least " + segments + " segments", Duration.ofMillis(timeoutMs),
                () -> {
                    HttpResponse<byte[]> r = Http.get(playlistUrl);
                    return r.statusCode() == 200 ? Http.text(r) : "HTTP " + r.statusCode();
                }, playlist -> segmentNumbers(playlist).size() >= segments);
    }

    static List<Long> segmentNumbers(String playlist) {
        Matcher m = SEGMENT_LINE.matcher(playlist);
        List<Long> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** ffmpeg reading a URL for a few seconds: one framecrc line per decoded frame ("0," video, "1," audio). */
    static List<String> decode(String url, int seconds, boolean video) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                "-i", url, "-t", String.valueOf(seconds)));
        if (video) {
            cmd.addAll(List.of("-map", "0:v:0"));
        }
        cmd.addAll(List.of("-map", "0:a:0", "-f", "framecrc", "-"));
        return cmd;
    }

    static List<String> ffmpegPublishAudioOnly(String url, int maxSeconds) {
        return List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", String.valueOf(maxSeconds),
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", url);
    }

    @Test
    void ffprobeAndFfmpegReadEveryUrl() throws Exception {
        String stream = "hls-ff";
        try (ExternalProcess pub = ExternalProcess.start("publish", ffmpegPublish(rtmpUrl(rtmp, stream), 90))) {
            awaitSegments(url(http, stream, "v/index.m3u8"), 3, 20_000);
            ExternalProcess probe = ExternalProcess.run("ffprobe", 30, List.of("ffprobe", "-v", "error",
                    "-show_entries", "stream=codec_name,width,height", "-of", "compact", url(http, stream, "index.m3u8")));
            assertEquals(0, probe.exitCode(), probe.describe());
            assertTrue(probe.stdout().contains("codec_name=h264|width=320|height=240"), probe.stdout());
            assertTrue(probe.stdout().contains("codec_name=aac"), probe.stdout());
            for (String file : List.of("index.m3u8", "ts/index.m3u8", "aes/index.m3u8", "index.mpd")) {
                ExternalProcess play = ExternalProcess.run("decode-" + file.replace('/', '-'), 40, decode(url(http, stream, file), 3, true));
                assertEquals(0, play.exitCode(), file + ": " + play.describe() + "\n" + pub.describe());
                assertTrue(play.stderr().isBlank(), file + " decoded with errors: " + play.stderr());
                long video = countLines(play.stdout(), "0,");
                long audio = countLines(play.stdout(), "1,");
                assertTrue(video >= 60 && audio >= 100, file + ": " + video + " video, " + audio + " audio frames in 3 s");
            }
        }
    }

    @Test
    void audioOnlyStreamsServeTheAudioPlaylistAsTheIndex() throws Exception {
        String stream = "hls-audio";
        try (ExternalProcess pub = ExternalProcess.start("publish", ffmpegPublishAudioOnly(rtmpUrl(rtmp, stream), 90))) {
            String index = awaitSegments(url(http, stream, "index.m3u8"), 2, 20_000);
            assertFalse(index.contains("#EXT-X-STREAM-INF"), "one rendition: no multivariant playlist\n" + index);
            assertTrue(index.contains("#EXT-X-MAP:URI=\"a/init-"), index);
            assertEquals(404, Http.get(url(http, stream, "v/index.m3u8")).statusCode());
            ExternalProcess play = ExternalProcess.run("decode audio", 40, decode(url(http, stream, "index.m3u8"), 3, false));
            assertEquals(0, play.exitCode(), play.describe() + "\n" + pub.describe());
            assertTrue(countLines(play.stdout(), "0,") >= 100, "audio frames: " + countLines(play.stdout(), "0,"));
        }
    }

    @Test
    void httpRulesForLivePlayers() throws Exception {
        String stream = "hls-http";
        try (ExternalProcess pub = ExternalProcess.start("publish", ffmpegPublish(rtmpUrl(rtmp, stream), 90))) {
            String ts = awaitSegments(url(http, stream, "ts/index.m3u8"), 2, 20_000);
            int packaged = node.packagedHttpStreams();

            // unknown streams: 404 from the registry, nothing created
            for (int i = 0; i < 50; i++) {
                assertEquals(404, Http.get(url(http, "nosuch-" + i, "index.m3u8")).statusCode());
            }
            assertEquals(packaged, node.packagedHttpStreams(), "a storm of unknown names created state");

            // nothing outside the stream's own files
            for (String target : List.of("/../../etc/passwd", "/" + stream + "/../../../etc/passwd",
                    "/%2e%2e/%2e%2e/etc/passwd", "/" + stream + "/v/..%2f..%2fetc%2fpasswd", "/" + stream + "/%2e%2e/index.m3u8",
                    "/etc/passwd", "//etc/passwd", "/" + stream + "/ts/0000000000000000000000000001.ts")) {
                String status = Http.rawStatus(http, target);
                assertTrue(status.contains(" 404") || status.contains(" 400"), target + " -> " + status);
            }
            assertTrue(Http.rawStatus(http, "/" + stream + "/" + "x".repeat(10_000)).contains(" 414"));

            // CORS for players on other origins, live caching
            HttpResponse<byte[]> playlist = Http.get(url(http, stream, "index.m3u8"), "Origin", "http://player.example");
            assertEquals("*", playlist.headers().firstValue("access-control-allow-origin").orElse(""));
            assertEquals("max-age=1", playlist.headers().firstValue("cache-control").orElse(""));
            assertEquals("application/vnd.apple.mpegurl", playlist.headers().firstValue("content-type").orElse(""));
            HttpResponse<byte[]> preflight = Http.send("OPTIONS", url(http, stream, "index.m3u8"),
                    "Origin", "http://player.example", "Access-Control-Request-Method", "GET");
            assertEquals(204, preflight.statusCode());
            assertTrue(preflight.headers().firstValue("access-control-allow-methods").orElse("").contains("GET"));

            // a segment: long caching, HEAD, Range
            long first = segmentNumbers(ts).get(0);
            String segmentUrl = url(http, stream, "ts/" + first + ".ts");
            HttpResponse<byte[]> whole = Http.get(segmentUrl);
            assertEquals(200, whole.statusCode());
            assertEquals(0x47, whole.body()[0] & 0xFF, "MPEG-TS sync byte");
            assertEquals(0, whole.body().length % 188);
            assertEquals("public, max-age=3600", whole.headers().firstValue("cache-control").orElse(""));
            HttpResponse<byte[]> head = Http.send("HEAD", segmentUrl);
            assertEquals(200, head.statusCode());
            assertEquals(String.valueOf(whole.body().length), head.headers().firstValue("content-length").orElse(""));
            assertEquals(0, head.body().length);
            HttpResponse<byte[]> range = Http.get(segmentUrl, "Range", "bytes=188-375");
            assertEquals(206, range.statusCode());
            assertEquals("bytes 188-375/" + whole.body().length, range.headers().firstValue("content-range").orElse(""));
            assertArrayEquals(Arrays.copyOfRange(whole.body(), 188, 376), range.body());
            assertEquals(416, Http.get(segmentUrl, "Range", "bytes=" + whole.body().length + "-").statusCode());
            assertEquals(404, Http.get(url(http, stream, "ts/" + (first + 1000) + ".ts")).statusCode());

            // AES-128: the key the playlist names decrypts the segment into the clear TS segment (IV = sequence)
            String aes = Http.text(Http.get(url(http, stream, "aes/index.m3u8")));
            Matcher key = Pattern.compile("#EXT-X-KEY:METHOD=AES-128,URI=\"(key-\\d+\\.key)\"\\n(?:#EXT[^\\n]*\\n)*(\\d+)\\.ts")
                    .matcher(aes);
            assertTrue(key.find(), aes);
            long n = Long.parseLong(key.group(2));
            byte[] keyBytes = Http.get(url(http, stream, "aes/" + key.group(1))).body();
            assertEquals(16, keyBytes.length);
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyBytes, "AES"),
                    new IvParameterSpec(ByteBuffer.allocate(16).putLong(8, n).array()));
            byte[] clear = cipher.doFinal(Http.get(url(http, stream, "aes/" + n + ".ts")).body());
            assertArrayEquals(Http.get(url(http, stream, "ts/" + n + ".ts")).body(), clear);

            // what HTTP delivery costs and holds is on /metrics
            String metrics = Http.text(Http.get("http://127.0.0.1:" + http + "/metrics"));
            Matcher egress = Pattern.compile("cascade_egress_bytes_total\\{[^}]*protocol=\"http\"[^}]*} ([0-9.E]+)")
                    .matcher(metrics);
            assertTrue(egress.find() && Double.parseDouble(egress.group(1)) > whole.body().length, metrics);
            assertTrue(metrics.contains("cascade_http_streams"), metrics);
            assertTrue(metrics.contains("cascade_http_packaged_bytes"), metrics);
        }
    }

    @Test
    void aRepublishContinuesTheNumberingAfterADiscontinuity() throws Exception {
        String stream = "hls-again";
        long lastBefore;
        try (ExternalProcess pub = ExternalProcess.start("publish", ffmpegPublish(rtmpUrl(rtmp, stream), 90))) {
            String before = awaitSegments(url(http, stream, "ts/index.m3u8"), 3, 20_000);
            List<Long> numbers = segmentNumbers(before);
            lastBefore = numbers.get(numbers.size() - 1);
            assertFalse(before.contains("#EXT-X-DISCONTINUITY\n"), before);
        }
        // a republish, not a second publisher refused while the node still holds the first one
        Await.until("the first publish of " + stream + " has ended", Duration.ofSeconds(10),
                () -> node.registry().find(stream).await(5, TimeUnit.SECONDS) == null);
        try (ExternalProcess pub = ExternalProcess.start("republish", ffmpegPublish(rtmpUrl(rtmp, stream), 90))) {
            // ffmpeg starts three segments from the end: let it start within the new publish
            String after = Await.until("three segments after the discontinuity", Duration.ofSeconds(20),
                    () -> Http.text(Http.get(url(http, stream, "ts/index.m3u8"))), playlist -> {
                        int tag = playlist.lastIndexOf("#EXT-X-DISCONTINUITY\n");
                        return tag >= 0 && segmentNumbers(playlist.substring(tag)).size() >= 3;
                    });
            List<Long> numbers = segmentNumbers(after);
            assertTrue(numbers.get(numbers.size() - 1) > lastBefore + 1, "numbering went on: " + after);
            for (int i = 1; i < numbers.size(); i++) {
                assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "no gap, no restart at 0:\n" + after);
            }
            assertTrue(after.contains("#EXT-X-DISCONTINUITY\n"), after);
            ExternalProcess play = ExternalProcess.run("decode", 40, decode(url(http, stream, "index.m3u8"), 2, true));
            assertEquals(0, play.exitCode(), play.describe());
            assertTrue(countLines(play.stdout(), "0,") >= 40, "video after the republish: " + play.describe() + "\n" + after);
        }
    }
}
