package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files the EMS way: createHLSStream (rolling, AES-128) and createDASHStream write a folder that ffmpeg plays from
 * disk; listConfig and removeConfig manage them; auto.hls.folder writes every stream that starts.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileOutputIT {
    private static final Pattern MEDIA_SEQUENCE = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)");
    @TempDir
    Path folder;

    @Test
    void apiAndAutoOutputsWritePlayableFolders() throws Exception {
        int rtmp = Clients.freePort();
        int api = Clients.freePort();
        Path auto = folder.resolve("auto");
        CascadeNode node = Clients.startSingle("files", rtmp, 0, "api.port", String.valueOf(api),
                "segment.target.ms", "1000", "data.dir", folder.toString(), "auto.hls.folder", auto.toString());
        String base = "http://127.0.0.1:" + api + "/api/";
        try (ExternalProcess pub = ExternalProcess.start("publish", ffmpegPublish(rtmpUrl(rtmp, "filed"), 90))) {
            JsonObject hls = new JsonObject(Http.text(Http.get(base + "createHLSStream?localStreamNames=filed"
                    + "&targetFolder=out&groupName=hls&playlistType=rolling&playlistLength=3&drmType=ems&aesKeyCount=2")));
            assertEquals("SUCCESS", hls.getString("status"), hls.encode());
            JsonObject dash = new JsonObject(Http.text(Http.get(base + "createDASHStream?localStreamNames=filed"
                    + "&targetFolder=out&groupName=dash&playlistType=appending")));
            assertEquals("SUCCESS", dash.getString("status"), dash.encode());
            assertEquals(400, Http.get(base + "createHLSStream?localStreamNames=filed&targetFolder=out&playlistType=circular")
                    .statusCode());
            assertEquals(400, Http.get(base + "createHLSStream?localStreamNames=../x&targetFolder=out").statusCode());
            // targetFolder is relative to data.dir: an absolute one is refused even when it names a folder inside
            assertEquals(400, Http.get(base + "createHLSStream?localStreamNames=filed&targetFolder="
                    + folder.resolve("out")).statusCode());

            Path hlsDir = folder.resolve("out/hls");
            Path dashDir = folder.resolve("out/dash");
            long firstListed = mediaSequence(awaitFile(hlsDir.resolve("index.m3u8"), "#EXTINF", 3));
            awaitFile(dashDir.resolve("index.mpd"), "<S ", 6);
            // a few more segments: the rolling playlist must have dropped some
            String playlist = Await.until("the rolling playlist drops three segments", Duration.ofSeconds(30),
                    () -> Files.readString(hlsDir.resolve("index.m3u8")), p -> mediaSequence(p) >= firstListed + 3);
            assertEquals(3, countLines(playlist, "#EXTINF"), playlist);
            assertTrue(playlist.contains("#EXT-X-KEY:METHOD=AES-128,URI=\"key-"), playlist);
            try (Stream<Path> files = Files.list(hlsDir)) {
                long segments = files.filter(p -> p.toString().endsWith(".ts")).count();
                assertTrue(segments <= 4, "rolled-out segments are deleted: " + segments + " left");
            }
            ExternalProcess hlsPlay = ExternalProcess.run("decode-hls-files", 40, List.of("ffmpeg", "-hide_banner",
                    "-nostdin", "-loglevel", "error", "-allowed_extensions", "ALL", "-i", hlsDir.resolve("index.m3u8").toString(),
                    "-t", "2", "-map", "0:v:0", "-f", "framecrc", "-"));
            assertEquals(0, hlsPlay.exitCode(), hlsPlay.describe());
            assertTrue(countLines(hlsPlay.stdout(), "0,") >= 40, "video frames from the encrypted files");
            ExternalProcess dashPlay = ExternalProcess.run("decode-dash-files", 40, List.of("ffmpeg", "-hide_banner",
                    "-nostdin", "-loglevel", "error", "-i", dashDir.resolve("index.mpd").toString(), "-t", "2",
                    "-map", "0:v:0", "-map", "0:a:0", "-f", "framecrc", "-"));
            assertEquals(0, dashPlay.exitCode(), dashPlay.describe());
            assertTrue(countLines(dashPlay.stdout(), "0,") >= 40, "video frames from the DASH files");

            JsonObject list = new JsonObject(Http.text(Http.get(base + "listConfig")));
            JsonArray hlsOutputs = list.getJsonObject("data").getJsonArray("hls");
            assertEquals(2, hlsOutputs.size(), list.encode()); // ours and the automatic one
            long id = hls.getJsonArray("data").getJsonObject(0).getLong("configId");
            assertEquals(200, Http.get(base + "removeConfig?id=" + id).statusCode());
            assertEquals(404, Http.get(base + "removeConfig?id=" + id).statusCode());
            assertEquals(1, new JsonObject(Http.text(Http.get(base + "listConfig"))).getJsonObject("data")
                    .getJsonArray("hls").size());

            // auto.hls.folder: every stream that starts is written, in a folder named after it
            awaitFile(auto.resolve("filed/index.m3u8"), "#EXTINF", 3);
        } finally {
            node.stop();
        }
    }

    /** Waits until the file has the marker at least {@code count} times; returns what it held then. */
    private static String awaitFile(Path file, String marker, int count) throws Exception {
        return Await.until(file + " has " + count + " x " + marker, Duration.ofSeconds(30),
                () -> Files.exists(file) ? Files.readString(file) : "(missing)",
                text -> countLines(text.replace("<S ", "\n<S "), marker) >= count);
    }

    private static long mediaSequence(String playlist) {
        Matcher m = MEDIA_SEQUENCE.matcher(playlist);
        if (!m.find()) {
            throw new AssertionError("no media sequence in\n" + playlist);
        }
        return Long.parseLong(m.group(1));
    }
}
