package io.cascade.deploy;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.Codecs;
import io.cascade.cluster.FrameBatch;
import io.cascade.edge.StreamHubs;
import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.MemoryBudget;
import io.cascade.media.Segmenter;
import io.cascade.metrics.NodeCounters;
import io.cascade.origin.ApiServer;
import io.cascade.packaging.PackageSettings;
import io.cascade.packaging.SegmentKeys;
import io.cascade.packaging.files.FileOutputs;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.hls.HlsPlaylist;
import io.cascade.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File outputs stay inside data.dir, driven through the real HTTP API with the node's own adapter between the API
 * and the file outputs: every way out a request can name is answered 400 naming the parameter and creates nothing,
 * and a resumed playlist that names files elsewhere gets none of them deleted.
 */
@ExtendWith(VertxExtension.class)
class FileOutputConfinementTest {
    private static final long ANCHOR = 1_795_000_000_000L;
    @TempDir
    Path top;
    private Path data;
    private Path outside;
    private FileOutputs outputs;
    private Vertx vertx;
    private String base;

    /** data.dir and, next to it, a folder no request may reach; a link in data.dir leads there. */
    @BeforeEach
    void start(Vertx vertx, VertxTestContext ctx) throws IOException {
        this.vertx = vertx;
        data = Files.createDirectories(top.resolve("data"));
        outside = Files.createDirectories(top.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "keep me");
        Files.createSymbolicLink(data.resolve("link"), outside);
        Files.createDirectories(data.resolve("live"));
        Files.createSymbolicLink(data.resolve("live/cam"), outside);
        Files.createSymbolicLink(data.resolve("dangling"), top.resolve("nowhere"));
        Codecs.register(vertx.eventBus());
        // the hubs find every stream on node "ingest", which this test plays
        StreamHubs hubs = new StreamHubs(vertx, "edge", 1000, new NodeCounters(), stream -> Future.succeededFuture("ingest"));
        PackageSettings packaging = new PackageSettings(3, HlsPlaylist.Type.LIVE, 100, 1 << 24, 1 << 28, MemoryBudget.unlimited(),
                new SegmentKeys("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), 3));
        outputs = new FileOutputs(vertx, hubs, data, "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), packaging);
        // the stream registry and ingest points are not used by the file verbs
        new ApiServer(vertx, null, "", ApiListener.fileOutputControl(outputs)).listen("127.0.0.1", 0)
                .timeout(10, TimeUnit.SECONDS).onComplete(ctx.succeeding(port -> {
                    base = "http://127.0.0.1:" + port + "/api/";
                    ctx.completeNow();
                }));
    }

    /** Every file, folder and link under the test's folder, with what it holds or points to. */
    private Map<String, String> tree() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(top)) {
            for (Path p : all.toList()) {
                String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                out.put(top.relativize(p).toString(), what);
            }
        }
        return out;
    }

    /** Raw query values, sent exactly as written (already percent-encoded where they need it). */
    private static final List<String> TARGETS_RAW = List.of(
            "..", "../outside", "..%2Foutside", "a/../../outside", "a%2F..%2F..%2Foutside", "a/../b", "./x",
            "%2e%2e", "%2e%2e%2Foutside", "%252e%252e", "%252e%252e%252Foutside", "..%5Coutside", "a%00b", "%00",
            "a%0Ab", "a%0D%0Ab", "", "%20", "x//y", "link", "link/x", "live/cam", "dangling", "dangling/x",
            "C:%5Cx", "%5C%5Cserver%5Cshare", "x%3Fy");

    @Test
    void everyTraversalThroughTheApiIsRefusedAndCreatesNothing() throws Exception {
        Map<String, String> before = tree();
        List<String> attempts = new ArrayList<>();
        for (String verb : List.of("createHLSStream", "createDASHStream")) {
            for (String target : TARGETS_RAW) {
                attempts.add(verb + "?localStreamNames=cam&targetFolder=" + target + "|targetFolder");
            }
            for (Path absolute : List.of(outside, outside.resolve("x"), data, data.resolve("x"), Path.of("/tmp"))) {
                attempts.add(verb + "?localStreamNames=cam&targetFolder=" + enc(absolute.toString()) + "|targetFolder");
            }
            for (String group : List.of("..", "../x", "a%2Fb", "%2e%2e", ".", "%2F", "a%00")) {
                attempts.add(verb + "?localStreamNames=cam&targetFolder=out&groupName=" + group + "|groupName");
            }
            // the group is a link out of the target folder, the target a plain name: refused on disk
            attempts.add(verb + "?localStreamNames=cam&targetFolder=live&groupName=cam|targetFolder");
            attempts.add(verb + "?localStreamNames=cam&targetFolder=.&groupName=link|targetFolder");
            attempts.add(verb + "?localStreamNames=../cam&targetFolder=out|localStreamNames");
            attempts.add(verb + "?localStreamNames=ok,..&targetFolder=out|localStreamNames");
        }
        for (String attempt : attempts) {
            String[] parts = attempt.split("\\|");
            HttpResponse<String> r = Http.getText(base + parts[0]);
            assertRefused(r, parts[1], parts[0]);
        }
        // the same through a JSON body, where nothing is percent-decoded at all
        for (String target : List.of("../outside", "/tmp", outside.toString(), "a/../../outside", "link", "..\u0000",
                "%2e%2e")) {
            for (String verb : List.of("createHLSStream", "createDASHStream")) {
                String body = new JsonObject().put("localStreamNames", "cam").put("targetFolder", target).encode();
                assertRefused(Http.sendText("POST", base + verb, body, "Content-Type", "application/json"),
                        "targetFolder", verb + " " + body);
            }
        }
        String list = Http.getText(base + "listConfig").body();
        assertEquals(0, new JsonObject(list).getJsonObject("data").getJsonArray("hls").size(), list);
        assertEquals(0, new JsonObject(list).getJsonObject("data").getJsonArray("dash").size(), list);
        assertEquals(before, tree(), "a refused call creates and deletes nothing");

        // and a plain relative folder still works: nested, made on demand, nothing outside touched
        HttpResponse<String> ok = Http.getText(base + "createHLSStream?localStreamNames=cam&targetFolder=out/hls&groupName=g");
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(Files.isDirectory(data.resolve("out/hls/g")));
        Map<String, String> after = tree();
        after.keySet().removeIf(k -> k.startsWith("data/out"));
        assertEquals(before, after);
    }

    private static void assertRefused(HttpResponse<String> r, String parameter, String what) {
        assertEquals(400, r.statusCode(), what + " -> " + r.body());
        JsonObject answer = new JsonObject(r.body());
        assertEquals("FAIL", answer.getString("status"), what);
        assertTrue(answer.getString("description").startsWith(parameter), what + " -> " + r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aResumedPlaylistDeletesNothingItDoesNotOwn() throws Exception {
        Path folder = Files.createDirectories(data.resolve("out/cam"));
        // what an old playlist may name and a rolling output must never delete
        Files.writeString(data.resolve("out/victim"), "keep me");
        Files.writeString(data.resolve("out/victim.ts"), "keep me");
        Files.writeString(data.resolve("victim.ts"), "keep me");
        Files.writeString(outside.resolve("victim.ts"), "keep me");
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("sub/1.ts"), "keep me");
        Files.writeString(outside.resolve("linked.ts"), "keep me");
        // what it may delete: its own segment, and a link in its folder (the link, not what it points to)
        Files.writeString(folder.resolve("3.ts"), "old segment");
        Files.createSymbolicLink(folder.resolve("4.ts"), outside.resolve("linked.ts"));
        List<String> foreign = List.of("../victim", "../victim.ts", "../../victim.ts", outside.resolve("victim").toString(),
                outside.resolve("victim.ts").toString(), "sub/1.ts", "%2e%2e/victim.ts", "file://" + outside.resolve("victim.ts"),
                "..\\victim.ts", "../outside/victim.ts\r");
        StringBuilder playlist = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:3\n");
        playlist.append("#EXTINF:1.000,\n3.ts\n#EXTINF:1.000,\n4.ts\n");
        for (String uri : foreign) {
            playlist.append("#EXTINF:1.000,\n").append(uri).append('\n');
        }
        Files.writeString(folder.resolve("index.m3u8"), playlist);
        Map<String, String> before = tree();

        publish("cam", 6); // segments 10 to 14 are whole: the old ones roll out
        HttpResponse<String> r = Http.getText(base + "createHLSStream?localStreamNames=cam&targetFolder=out"
                + "&playlistType=rolling&playlistLength=1&hlsResume=true");
        assertEquals(200, r.statusCode(), r.body());

        String written = Await.until("the resumed playlist rolled on to segment 14", Duration.ofSeconds(20),
                () -> Files.readString(folder.resolve("index.m3u8")), p -> p.contains("\n14.ts\n"));
        assertFalse(written.contains("victim") || written.contains("sub/"), written);
        assertFalse(Files.exists(folder.resolve("3.ts")), "its own rolled-out segment is deleted");
        assertFalse(Files.exists(folder.resolve("4.ts"), LinkOption.NOFOLLOW_LINKS), "the link is deleted");
        Map<String, String> after = tree();
        for (String kept : List.of("data/out/victim", "data/out/victim.ts", "data/victim.ts", "outside/victim",
                "outside/victim.ts", "data/out/cam/sub/1.ts", "outside/linked.ts")) {
            assertEquals("keep me", after.get(kept), kept);
        }
        // nothing changed anywhere but in the output's own folder
        before.keySet().removeIf(k -> k.startsWith("data/out/cam/") && !k.startsWith("data/out/cam/sub"));
        after.keySet().removeIf(k -> k.startsWith("data/out/cam/") && !k.startsWith("data/out/cam/sub"));
        assertEquals(before, after);
    }

    /** cleanupDestination empties the folder and its v/ and a/: never through a link to somewhere else. */
    @Test
    void cleanupNeverFollowsATrackFolderOut() throws Exception {
        Path folder = Files.createDirectories(data.resolve("out/cam"));
        Files.writeString(outside.resolve("1.m4s"), "keep me");
        Files.writeString(outside.resolve("index.mpd"), "keep me");
        Files.createSymbolicLink(folder.resolve("v"), outside);
        Map<String, String> before = tree();
        for (String verb : List.of("createDASHStream", "createHLSStream")) {
            HttpResponse<String> r = Http.getText(base + verb + "?localStreamNames=cam&targetFolder=out"
                    + "&cleanupDestination=true");
            assertRefused(r, "targetFolder", verb + " into a folder whose v/ leads out");
        }
        assertEquals(before, tree());
    }

    @Test
    void aResumedPlaylistThatIsALinkOutIsNotRead() throws Exception {
        Path folder = Files.createDirectories(data.resolve("out/cam"));
        Files.writeString(outside.resolve("index.m3u8"), "#EXTM3U\n#EXTINF:1.000,\nvictim.ts\n");
        Files.writeString(folder.resolve("victim.ts"), "keep me");
        Files.createSymbolicLink(folder.resolve("index.m3u8"), outside.resolve("index.m3u8"));
        Map<String, String> before = tree();
        HttpResponse<String> r = Http.getText(base + "createHLSStream?localStreamNames=cam&targetFolder=out"
                + "&playlistType=rolling&playlistLength=1&hlsResume=true");
        assertRefused(r, "hlsResume", "a playlist that is a link out");
        assertTrue(r.body().contains("symbolic link"), r.body());
        assertEquals(before, tree());
    }

    /** A playlist that cannot be continued is refused saying why, and the folder is left as it was. */
    @Test
    void aResumedPlaylistThatCannotBeReadIsRefusedAndTouchesNothing() throws Exception {
        Path folder = Files.createDirectories(data.resolve("out/cam"));
        Files.writeString(folder.resolve("3.ts"), "old segment");
        Map<String, String> why = Map.of(
                "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key-1.key\n#EXTINF:1.000,\n3.ts\n", "closing quote",
                "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999999\n#EXTINF:1.000,\n3.ts\n", "decimal number",
                "#EXTM3U\n#EXTINF:NaN,\n3.ts\n", "decimal number of seconds");
        for (Map.Entry<String, String> playlist : why.entrySet()) {
            Files.writeString(folder.resolve("index.m3u8"), playlist.getKey());
            Map<String, String> before = tree();
            HttpResponse<String> r = Http.getText(base + "createHLSStream?localStreamNames=cam&targetFolder=out"
                    + "&playlistType=rolling&playlistLength=1&hlsResume=true");
            assertRefused(r, "hlsResume: the playlist in the folder is refused: line ", playlist.getKey());
            assertTrue(r.body().contains(playlist.getValue()), r.body());
            assertEquals(before, tree());
        }
        String list = Http.getText(base + "listConfig").body();
        assertEquals(0, new JsonObject(list).getJsonObject("data").getJsonArray("hls").size(), list);
    }

    /**
     * The stream as the ingest node would hand it over: the hub's subscription is answered with this many seconds of
     * 1 s segments (numbered from 10), H.264 and AAC.
     */
    private void publish(String stream, int seconds) {
        Segmenter segmenter = new Segmenter(1000, 10, ANCHOR);
        List<MediaFrame> frames = new ArrayList<>();
        long seq = 0;
        frames.add(segmenter.place(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, seq++,
                AvcVectors.CONFIGS.get(0).record())));
        frames.add(segmenter.place(new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, seq++,
                AacVectors.CONFIGS.get(0).data())));
        long audio = 0;
        for (long t = 0; t < seconds * 1000L; t += 40) {
            boolean key = t % 1000 == 0;
            frames.add(segmenter.place(new MediaFrame(0, Codec.H264, t, t, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, 0,
                    seq++, new byte[] {0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), (byte) 0x88, (byte) t})));
            while (audio * 64 / 3 <= t + 40) {
                long at = audio * 64 / 3;
                frames.add(segmenter.place(new MediaFrame(1, Codec.AAC, at, at, 1000, 0, 0, seq++,
                        new byte[] {0x21, 0x10, 0x05})));
                audio++;
            }
        }
        FrameBatch snapshot = new FrameBatch(frames, frames.get(frames.size() - 1).sequence(), "ingest/1", 0, 1000);
        vertx.eventBus().consumer(Addresses.subscribe(stream, "ingest"), msg -> msg.reply(snapshot));
    }
}
