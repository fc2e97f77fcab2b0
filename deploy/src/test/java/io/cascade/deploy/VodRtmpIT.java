package io.cascade.deploy;

import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files played over RTMP as real players play them: ffmpeg makes the files (H.264/AAC MP4 and FLV, H.265 MP4) in the
 * node's VOD folder, ffmpeg plays them with {@code -c copy} and ends by itself with every frame of the file, ffprobe
 * sees exactly audio and video, ffmpeg's {@code -ss} (RTMP seek) and rtmpdump's {@code --start} (play's start) begin
 * at the keyframe at or before 10 s; missing files, names leading out of the folder and symbolic links out of it are
 * not found, and nothing is created.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class VodRtmpIT {
    private static final int SECONDS = 12;
    /** 25 fps with a keyframe every 25 frames: one GOP is 1 s. */
    private static final long GOP_MS = 1_000;
    @TempDir
    static Path dir;
    private static Path vod;
    private static CascadeNode node;
    private static int rtmp;
    /** ffprobe's packet counts of each file, "video" and "audio". */
    private static Map<String, long[]> counts = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        vod = data.resolve("vod");
        Files.createDirectories(vod);
        make("clip.mp4", List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                "-keyint_min", "25", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k"), SECONDS);
        ExternalProcess flv = ExternalProcess.run("make-flv", 60, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-i", vod.resolve("clip.mp4").toString(), "-c", "copy",
                vod.resolve("clip.flv").toString()));
        assertEquals(0, flv.exitCode(), flv.describe());
        make("hevc.mp4", List.of("-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-x265-params",
                "keyint=25:min-keyint=25:log-level=error", "-tag:v", "hvc1", "-c:a", "aac", "-b:a", "64k"), 4);
        for (String f : List.of("clip.mp4", "clip.flv")) {
            counts.put(f, probeCounts(vod.resolve(f).toString()));
        }
        rtmp = Clients.freePort();
        node = Clients.startSingle("vod", rtmp, 0, "data.dir", data.toString());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    private static void make(String name, List<String> codecs, int seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=44100", "-t", String.valueOf(seconds)));
        cmd.addAll(codecs);
        cmd.add(vod.resolve(name).toString());
        ExternalProcess make = ExternalProcess.run("make-" + name, 120, cmd);
        assertEquals(0, make.exitCode(), make.describe());
    }

    /** {video packets, audio packets} as ffprobe counts them. */
    private static long[] probeCounts(String input) throws Exception {
        ExternalProcess p = ExternalProcess.run("probe", 60, List.of("ffprobe", "-v", "error", "-count_packets",
                "-show_entries", "stream=codec_type,nb_read_packets", "-of", "csv=p=0", input));
        assertEquals(0, p.exitCode(), p.describe());
        long[] out = new long[2];
        for (String line : p.stdout().strip().split("\n")) {
            String[] f = line.split(",");
            out[f[0].equals("video") ? 0 : 1] = Long.parseLong(f[1].trim());
        }
        return out;
    }

    private static String url(String name) {
        return "rtmp://127.0.0.1:" + rtmp + "/vod/" + name;
    }

    /** framecrc lines of one stream: "index, dts, pts, duration, size, crc". */
    private static List<long[]> packets(String framecrc, int stream) {
        List<long[]> out = new ArrayList<>();
        for (String line : framecrc.split("\n")) {
            if (line.startsWith(stream + ",")) {
                String[] f = line.split(",");
                out.add(new long[] {Long.parseLong(f[1].trim()), Long.parseLong(f[2].trim()),
                        Long.parseLong(f[3].trim())});
            }
        }
        return out;
    }

    private static ExternalProcess copyPlay(String label, List<String> before, String name) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"));
        cmd.addAll(before);
        cmd.addAll(List.of("-i", url(name), "-copyts", "-map", "0", "-c", "copy", "-f", "framecrc", "-"));
        return ExternalProcess.start(label, cmd);
    }

    /**
     * The three names Flash players send, played at once: each ends by itself within the file's duration (the player's
     * 3 s buffer ahead), with the file's packets, stream by stream, and its duration to within a frame.
     */
    @Test
    void ffmpegPlaysEveryFrameOfMp4AndFlvAndEndsByItself() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("mp4:clip.mp4", "clip.mp4");
        names.put("clip.mp4", "clip.mp4");
        names.put("clip", "clip.flv");
        Map<String, ExternalProcess> plays = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (String name : names.keySet()) {
            plays.put(name, copyPlay("vod-" + name.replace(':', '_'), List.of(), name));
        }
        for (Map.Entry<String, ExternalProcess> e : plays.entrySet()) {
            ExternalProcess p = e.getValue();
            assertEquals(0, p.waitFor(60), e.getKey() + ": " + p.describe());
            long[] expected = counts.get(names.get(e.getKey()));
            String crc = p.stdout();
            List<long[]> video = packets(crc, 0);
            List<long[]> audio = packets(crc, 1);
            assertEquals(expected[0], video.size(), e.getKey() + ": video packets, the file has " + expected[0]);
            assertEquals(expected[1], audio.size(), e.getKey() + ": audio packets, the file has " + expected[1]);
            long end = video.get(video.size() - 1)[0] + video.get(video.size() - 1)[2] - video.get(0)[0];
            assertTrue(Math.abs(end - SECONDS * 1000L) <= 40, e.getKey() + ": video lasts " + end + " ms, the file "
                    + SECONDS * 1000 + " ms");
            assertTrue(crc.lines().noneMatch(l -> l.startsWith("2,")), e.getKey() + ": a third stream in " + crc);
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        // paced: the file's duration less the player's buffer (ffmpeg asks for 3 s), not as fast as the disk reads
        assertTrue(tookMs >= (SECONDS - 4) * 1000L && tookMs < (SECONDS + 10) * 1000L, "three plays took " + tookMs
                + " ms for " + SECONDS + " s files");
    }

    @Test
    void ffprobeSeesExactlyAudioAndVideo() throws Exception {
        ExternalProcess p = ExternalProcess.run("probe-vod", 60, List.of("ffprobe", "-v", "error", "-show_entries",
                "stream=codec_type,codec_name,width,height", "-of", "csv=p=0", url("mp4:clip.mp4")));
        assertEquals(0, p.exitCode(), p.describe());
        List<String> streams = p.stdout().strip().lines().toList();
        assertEquals(List.of("h264,video,320,240", "aac,audio"), streams, p.describe());
    }

    /** ffmpeg's -ss sends RTMP seek after play: the frames begin at the keyframe at or before 10 s, to the end. */
    @Test
    void ffmpegSeeksToTheKeyframeAtOrBefore() throws Exception {
        ExternalProcess p = copyPlay("vod-seek", List.of("-ss", "10"), "mp4:clip.mp4");
        assertEquals(0, p.waitFor(60), p.describe());
        List<long[]> video = packets(p.stdout(), 0);
        long first = video.get(0)[0];
        assertTrue(first >= 10_000 - GOP_MS && first <= 10_000, "first video at " + first + " ms after -ss 10");
        assertEquals((SECONDS * 1000L - first) / 40, video.size(), "video packets from " + first + " ms to the end");
    }

    /**
     * rtmpdump's --start is play's start argument (ms): the file from the keyframe at or before 10 s to its end.
     * rtmpdump writes each tag at the server's time plus the start it asked for (librtmp takes a server's times as
     * starting over at 0), so the tags are counted and the first is read net of that.
     */
    @Test
    void rtmpdumpStartsAtTheKeyframeAtOrBefore() throws Exception {
        Path out = dir.resolve("start.flv");
        ExternalProcess p = ExternalProcess.run("rtmpdump-start", 60, List.of("rtmpdump", "-q", "-r",
                url("mp4:clip.mp4"), "--start", "10", "-o", out.toString()));
        assertEquals(0, p.exitCode(), p.describe());
        List<long[]> tags = flvTags(Files.readAllBytes(out));
        List<long[]> video = tags.stream().filter(t -> t[0] == 9).toList();
        long first = video.get(0)[1] - 10_000;
        assertTrue(first >= 10_000 - GOP_MS && first <= 10_000, "first video at " + first + " ms after --start 10");
        // the configuration record, then one tag per frame from there to the end
        assertEquals(1 + (SECONDS * 1000L - first) / 40, video.size(), "video tags from " + first + " ms");
    }

    /** {type, timestamp} of every tag of an FLV file. */
    private static List<long[]> flvTags(byte[] flv) {
        List<long[]> out = new ArrayList<>();
        int at = 9 + 4;
        while (at + 11 <= flv.length) {
            int size = (flv[at + 1] & 0xFF) << 16 | (flv[at + 2] & 0xFF) << 8 | (flv[at + 3] & 0xFF);
            long ts = (flv[at + 4] & 0xFFL) << 16 | (flv[at + 5] & 0xFFL) << 8 | (flv[at + 6] & 0xFFL)
                    | (flv[at + 7] & 0xFFL) << 24;
            out.add(new long[] {flv[at] & 0x1F, ts});
            at += 11 + size + 4;
        }
        return out;
    }

    /** Not there, leading out of the folder, a link out of it: not found alike, and nothing is created. */
    @Test
    void missingAndEscapingNamesAreNotFound() throws Exception {
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Files.copy(vod.resolve("clip.mp4"), outside.resolve("secret.mp4"));
        Files.createSymbolicLink(vod.resolve("link.mp4"), outside.resolve("secret.mp4"));
        List<Path> before = listing();
        for (String name : List.of("missing.mp4", "mp4:missing", "../outside/secret.mp4", "mp4:../outside/secret.mp4",
                "link.mp4", "/etc/passwd", "clip.mp4/..")) {
            try (TestRtmpClient c = new TestRtmpClient(rtmp, 10_000)) {
                c.handshake(false);
                c.connect("vod");
                int id = c.createStream();
                assertEquals("NetStream.Play.StreamNotFound", c.play(id, name), name + ": " + c.statusCodes());
            }
        }
        assertEquals(before, listing(), "nothing created");
    }

    private static List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("data"))) {
            return s.sorted().toList();
        }
    }

    /** H.265 from an MP4 goes out as enhanced RTMP: the hvc1 sequence start first, then coded frames. */
    @Test
    void hevcGoesOutAsEnhancedRtmp() throws Exception {
        try (TestRtmpClient c = new TestRtmpClient(rtmp, 10_000)) {
            c.handshake(false);
            c.connect("vod");
            int id = c.createStream();
            assertEquals("NetStream.Play.Reset", c.play(id, "hevc.mp4"), c.statusCodes().toString());
            RtmpMessage first = null;
            int video = 0;
            RtmpMessage m;
            while (video < 25 && (m = c.readMedia()) != null) {
                if (m.typeId() == MessageType.VIDEO) {
                    first = first == null ? m : first;
                    video++;
                }
            }
            assertTrue(first != null, "no video");
            byte[] p = first.payload();
            assertEquals(0x90, p[0] & 0xF0, "enhanced header, keyframe: " + Integer.toHexString(p[0] & 0xFF));
            assertEquals(0, p[0] & 0x0F, "SequenceStart");
            assertEquals("hvc1", new String(p, 1, 4, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(25, video, "video messages read");
        }
    }

    /** A file that is no MP4: Play.Failed for that play, and the node plays the next one as before. */
    @Test
    void aFileThatCannotBeReadFailsThatPlayOnly() throws Exception {
        Files.write(vod.resolve("garbage.mp4"), new byte[64 << 10]);
        try (TestRtmpClient c = new TestRtmpClient(rtmp, 10_000)) {
            c.handshake(false);
            c.connect("vod");
            int id = c.createStream();
            assertEquals("NetStream.Play.Failed", c.play(id, "garbage.mp4"), c.statusCodes().toString());
            int again = c.createStream();
            assertEquals("NetStream.Play.Reset", c.play(again, "clip.mp4"), "the same connection plays a good file: "
                    + c.statusCodes());
            assertTrue(c.readMedia() != null, "media of the good file");
        }
    }

    /** vod.max.plays: the play past the bound is refused with Play.Failed and counted; a play after it ends is not. */
    @Test
    void playsPastTheNodesBoundAreRefused() throws Exception {
        int port = Clients.freePort();
        CascadeNode bounded = Clients.startSingle("vod-bounded", port, 0, "data.dir", dir.resolve("data").toString(),
                "vod.max.plays", "1");
        try (TestRtmpClient first = new TestRtmpClient(port, 10_000);
             TestRtmpClient second = new TestRtmpClient(port, 10_000)) {
            first.handshake(false);
            first.connect("vod");
            assertEquals("NetStream.Play.Reset", first.play(first.createStream(), "clip.mp4"));
            second.handshake(false);
            second.connect("vod");
            int id = second.createStream();
            assertEquals("NetStream.Play.Failed", second.play(id, "clip.mp4"), second.statusCodes().toString());
            first.close();
            io.cascade.testing.Await.until("the first play's slot given back", java.time.Duration.ofSeconds(10),
                    () -> {
                        try (TestRtmpClient third = new TestRtmpClient(port, 10_000)) {
                            third.handshake(false);
                            third.connect("vod");
                            return "NetStream.Play.Reset".equals(third.play(third.createStream(), "clip.mp4"));
                        }
                    });
        } finally {
            bounded.stop();
        }
    }
}
