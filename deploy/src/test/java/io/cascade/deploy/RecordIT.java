package io.cascade.deploy;

import io.cascade.media.MediaFile;
import io.cascade.protocol.MediaFiles;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.testing.Await;
import io.cascade.testing.TestRtmpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recording live streams to files with real clients: ffmpeg publishes (and writes the same encode to a reference file,
 * what "the frames published" are), the node records through {@code record}, and ffprobe and ffmpeg read what it
 * wrote. Every recording starts at the stream's first video keyframe: ffmpeg's first frame is one, so no video frame is
 * left out; an AAC frame timed before it may be (at most one), hence the audio count's tolerance of 2.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RecordIT {
    private static final int SECONDS = 20;
    private static final double DURATION_TOLERANCE = 0.5;

    @TempDir
    Path dir;

    /** ffmpeg encoding testsrc2 + sine in real time (-g 50 at 25 fps, B-frames) to RTMP and to a reference file. */
    private static List<String> publish(String url, Path reference, int seconds, String size) {
        return List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", String.valueOf(seconds),
                "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
                "-flags", "+global_header", "-f", "tee", "[f=flv]" + url + "|[f=flv]" + reference);
    }

    /** A node of its own (every role, loopback) with the API on and its data under the test's folder. */
    private record Node(CascadeNode node, int rtmp, int api, int http, Path data) {
        Path recordings() {
            return data.resolve("recordings");
        }
    }

    private Node start(String name) throws Exception {
        int rtmp = Clients.freePort();
        int api = Clients.freePort();
        int http = Clients.freePort();
        Path data = dir.resolve("data");
        return new Node(Clients.startSingle(name, rtmp, http, "api.port", String.valueOf(api), "data.dir",
                data.toString()), rtmp, api, http, data);
    }

    private static JsonObject api(int port, String verbAndQuery) throws Exception {
        return new JsonObject(Http.getText("http://127.0.0.1:" + port + "/api/" + verbAndQuery).body());
    }

    private static int status(int port, String verbAndQuery) throws Exception {
        return Http.get("http://127.0.0.1:" + port + "/api/" + verbAndQuery).statusCode();
    }

    private static long record(int port, String query) throws Exception {
        JsonObject r = api(port, "record?" + query);
        assertEquals("SUCCESS", r.getString("status"), query + ": " + r.encode());
        assertEquals("waiting", r.getJsonObject("data").getString("state"), "queued before the publish: " + r.encode());
        return r.getJsonObject("data").getLong("id");
    }

    /** What ffprobe reads of a file: frames per track (counted by reading every packet) and durations. */
    record Probe(long videoFrames, long audioFrames, double duration, boolean firstVideoFrameIsKey) {
    }

    private Probe probe(Path file) throws Exception {
        ExternalProcess p = ExternalProcess.run("ffprobe-" + file.getFileName(), 60, List.of("ffprobe", "-v", "error",
                "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets:format=duration", "-of", "json",
                file.toString()));
        assertEquals(0, p.exitCode(), file + ": " + p.describe());
        JsonObject out = new JsonObject(p.stdout());
        long video = 0;
        long audio = 0;
        for (Object o : out.getJsonArray("streams")) {
            JsonObject s = (JsonObject) o;
            long n = Long.parseLong(s.getString("nb_read_packets", "0"));
            if ("video".equals(s.getString("codec_type"))) {
                video += n;
            } else if ("audio".equals(s.getString("codec_type"))) {
                audio += n;
            }
        }
        double duration = Double.parseDouble(out.getJsonObject("format").getString("duration", "0"));
        ExternalProcess first = ExternalProcess.run("ffprobe-key-" + file.getFileName(), 30, List.of("ffprobe", "-v",
                "error", "-select_streams", "v:0", "-show_entries", "packet=flags", "-read_intervals", "%+#1", "-of",
                "csv=p=0", file.toString()));
        return new Probe(video, audio, duration, first.stdout().strip().startsWith("K"));
    }

    /** ffmpeg decodes every frame of the file (or a concat list) and says nothing on stderr. */
    private static void decodesCleanly(String what, List<String> input) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-v", "error"));
        cmd.addAll(input);
        cmd.addAll(List.of("-f", "null", "-"));
        ExternalProcess p = ExternalProcess.run("decode-" + what, 90, cmd);
        assertEquals(0, p.exitCode(), what + ": " + p.describe());
        assertEquals("", p.stderr().strip(), what + ": ffmpeg reported errors decoding it");
    }

    /** The samples of each track (video, audio) our reader indexes: a fragmented file's whole fragments. */
    private static long[] indexed(Path file) throws Exception {
        long[] n = new long[2];
        try (MediaFile f = MediaFiles.open(file)) {
            for (int i = 0; i < f.sampleCount(); i++) {
                n[f.sample(i).video() ? 0 : 1]++;
            }
        }
        return n;
    }

    /** Types of the top-level boxes of an MP4 file, from their headers alone (32- or 64-bit sizes). */
    private static List<String> topLevelBoxes(Path file) throws Exception {
        List<String> types = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file)) {
            long at = 0;
            while (at < ch.size()) {
                ByteBuffer h = ByteBuffer.allocate(16);
                ch.read(h, at);
                long size = h.getInt(0) & 0xFFFF_FFFFL;
                if (size == 1) {
                    size = h.getLong(8);
                } else if (size == 0) {
                    size = ch.size() - at;
                }
                assertTrue(size >= 8 && size <= ch.size() - at, file + ": a box of " + size + " bytes at " + at);
                types.add(new String(h.array(), 4, 4, StandardCharsets.US_ASCII));
                at += size;
            }
        }
        return types;
    }

    private static List<Path> files(Path folder, String glob) throws Exception {
        List<Path> out = new ArrayList<>();
        try (var stream = Files.newDirectoryStream(folder, glob)) {
            stream.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /**
     * One publish of 20 s recorded five ways, each asked for before the publish starts: MP4, MPEG-TS and FLV whole,
     * and MP4 and MPEG-TS cut every 5 s; stopRecording after the publish ends finishes them.
     */
    @Test
    void aPublishIsRecordedWholeAndInChunksInEveryFormat() throws Exception {
        Node n = start("recorder");
        int rtmp = n.rtmp();
        int api = n.api();
        int http = n.http();
        Path recordings = n.recordings();
        try {
            List<Long> ids = new ArrayList<>();
            for (String type : List.of("mp4", "ts", "flv")) {
                ids.add(record(api, "localStreamName=show&pathToFile=whole/show&type=" + type));
            }
            ids.add(record(api, "localStreamName=show&pathToFile=chunks/show.mp4&chunkLength=5"));
            ids.add(record(api, "localStreamName=show&pathToFile=chunks/show&type=ts&chunkLength=5"));
            Path reference = dir.resolve("published.flv");
            ExternalProcess pub = ExternalProcess.run("publish-show", 60,
                    publish(Clients.rtmpUrl(rtmp, "show"), reference, SECONDS, "320x240"));
            assertEquals(0, pub.exitCode(), pub.describe());
            Probe published = probe(reference);
            assertEquals(SECONDS * 25L, published.videoFrames(), "ffmpeg published 20 s at 25 fps");
            JsonObject listed = api(api, "listRecordings");
            assertEquals(5, listed.getJsonArray("data").size(), listed.encode());
            for (long id : ids) {
                JsonObject stopped = api(api, "stopRecording?id=" + id);
                assertEquals("SUCCESS", stopped.getString("status"), stopped.encode());
            }
            assertEquals(404, status(api, "stopRecording?id=" + ids.get(0)), "stopped already");

            for (String type : List.of("mp4", "ts", "flv")) {
                Path file = recordings.resolve("whole/show." + type);
                Probe got = probe(file);
                assertEquals(published.videoFrames(), got.videoFrames(), type + ": video frames, published "
                        + published.videoFrames() + ", recorded " + got.videoFrames());
                assertTrue(Math.abs(published.audioFrames() - got.audioFrames()) <= 2, type + ": audio frames, published "
                        + published.audioFrames() + ", recorded " + got.audioFrames());
                assertEquals(published.duration(), got.duration(), DURATION_TOLERANCE, type + ": duration, published "
                        + published.duration() + " s, recorded " + got.duration() + " s");
                assertTrue(got.firstVideoFrameIsKey(), type + " starts with a keyframe");
                decodesCleanly("whole-" + type, List.of("-i", file.toString()));
                System.out.printf("RecordIT figures: %s published %d video / %d audio frames, %.3f s; recorded %d / %d,"
                        + " %.3f s%n", type, published.videoFrames(), published.audioFrames(), published.duration(),
                        got.videoFrames(), got.audioFrames(), got.duration());
            }

            for (String type : List.of("mp4", "ts")) {
                List<Path> chunks = files(recordings.resolve("chunks"), "show-*." + type);
                // keyframes every 2 s: cuts at the first past 5 s of each file, at 6, 12 and 18 s
                assertEquals(List.of("show-0001." + type, "show-0002." + type, "show-0003." + type, "show-0004." + type),
                        chunks.stream().map(p -> p.getFileName().toString()).toList(), type + " chunks");
                double total = 0;
                long frames = 0;
                StringBuilder list = new StringBuilder();
                List<String> durations = new ArrayList<>();
                for (Path c : chunks) {
                    Probe p = probe(c);
                    assertTrue(p.firstVideoFrameIsKey(), c + " starts with a keyframe");
                    total += p.duration();
                    frames += p.videoFrames();
                    durations.add(String.format(java.util.Locale.ROOT, "%.3f", p.duration()));
                    list.append("file '").append(c).append("'\n");
                }
                assertEquals(published.duration(), total, DURATION_TOLERANCE, type + " chunks last " + durations
                        + ", together " + total + " s against " + published.duration() + " s published");
                assertEquals(published.videoFrames(), frames, type + " chunks' video frames " + durations);
                System.out.printf("RecordIT figures: %s chunks %s s, together %.3f s, %d video frames%n", type,
                        durations, total, frames);
                Path concat = Files.writeString(dir.resolve(type + "-chunks.txt"), list);
                decodesCleanly("concat-" + type, List.of("-f", "concat", "-safe", "0", "-i", concat.toString()));
            }
            try (Stream<Path> all = Files.walk(recordings)) {
                List<String> aside = all.map(p -> p.getFileName().toString()).filter(name -> name.startsWith(".")).toList();
                assertEquals(List.of(), aside, "no file left aside");
            }
            PromText metrics = new PromText(Http.getText("http://127.0.0.1:" + http + "/metrics").body());
            assertEquals(5.0, metrics.value("cascade_recordings", "state", "stopped"));
            assertEquals(0.0, metrics.value("cascade_recordings", "state", "recording"));
            assertTrue(metrics.value("cascade_recording_bytes_total") > 1_000_000,
                    "bytes recorded: " + metrics.value("cascade_recording_bytes_total"));
        } finally {
            n.node().stop();
        }
    }

    /**
     * A pathToFile that leads out of recording.dir is refused naming the parameter, and creates nothing: {@code ..},
     * an absolute path, a symbolic link inside the folder that points out of it. So are a first file that exists
     * without overwrite=1, an unknown type, a bad chunkLength, and a second recording of one file.
     */
    @Test
    void pathsOutOfTheRecordingFolderAreRefusedAndCreateNothing() throws Exception {
        Path recordings = Files.createDirectories(dir.resolve("data").resolve("recordings"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(recordings.resolve("escape"), outside);
        Files.writeString(recordings.resolve("taken.mp4"), "old");
        Node n = start("refuser");
        int api = n.api();
        try {
            Map<String, String> refused = new java.util.LinkedHashMap<>();
            refused.put("../x", "'..' segment");
            refused.put("/etc/x", "absolute path");
            refused.put("escape/x", "symbolic link");
            refused.put("escape/deeper/x", "symbolic link");
            refused.put("a//b", "empty segment");
            for (Map.Entry<String, String> e : refused.entrySet()) {
                JsonObject r = api(api, "record?localStreamName=s&pathToFile=" + URLEncoder.encode(e.getKey(),
                        StandardCharsets.UTF_8));
                assertEquals("FAIL", r.getString("status"), e.getKey() + ": " + r.encode());
                assertTrue(r.getString("description").startsWith("pathToFile: ")
                        && r.getString("description").contains(e.getValue()), e.getKey() + ": " + r.encode());
                assertEquals(400, status(api, "record?localStreamName=s&pathToFile=" + URLEncoder.encode(e.getKey(),
                        StandardCharsets.UTF_8)));
            }
            JsonObject exists = api(api, "record?localStreamName=s&pathToFile=taken.mp4");
            assertTrue(exists.getString("description").contains("exists; overwrite=1"), exists.encode());
            assertEquals(400, status(api, "record?localStreamName=s&pathToFile=x&type=avi"));
            assertEquals(400, status(api, "record?localStreamName=s&pathToFile=x&chunkLength=-1"));
            assertEquals(400, status(api, "record?localStreamName=s&pathToFile=x&overwrite=2"));
            assertEquals(400, status(api, "record?localStreamName=..&pathToFile=x"));
            assertEquals(400, status(api, "stopRecording"));
            assertEquals(404, status(api, "stopRecording?localStreamName=nobody"));
            try (Stream<Path> out = Files.list(outside)) {
                assertEquals(0, out.count(), "nothing created through the link");
            }
            try (Stream<Path> all = Files.walk(recordings)) {
                assertEquals(List.of("escape", "recordings", "taken.mp4"), all.map(p -> p.getFileName().toString())
                        .sorted().toList(), "nothing created in the folder");
            }
            assertEquals(0, api(api, "listRecordings").getJsonArray("data").size());

            long id = record(api, "localStreamName=s&pathToFile=taken.mp4&overwrite=1");
            assertEquals(409, status(api, "record?localStreamName=s&pathToFile=taken&type=mp4&overwrite=1"),
                    "one file, one recording");
            assertEquals(200, status(api, "stopRecording?id=" + id));
            assertEquals("old", Files.readString(recordings.resolve("taken.mp4")), "nothing was recorded: kept");
        } finally {
            n.node().stop();
        }
    }

    /**
     * A republish goes on in the same file when its codecs are those of the file (timestamps continuing), and starts
     * the next file when they are not (another picture size).
     */
    @Test
    void aRecordingGoesOnAcrossRepublishes() throws Exception {
        Node n = start("republish");
        int rtmp = n.rtmp();
        int api = n.api();
        Path recordings = n.recordings();
        try {
            List<Long> ids = List.of(record(api, "localStreamName=rep&pathToFile=rep.mp4"),
                    record(api, "localStreamName=rep&pathToFile=rep.flv"));
            List<Probe> published = new ArrayList<>();
            String[] sizes = {"320x240", "320x240", "480x270"};
            for (int i = 0; i < sizes.length; i++) {
                Path reference = dir.resolve("published-" + i + ".flv");
                ExternalProcess pub = ExternalProcess.run("publish-rep-" + i, 40,
                        publish(Clients.rtmpUrl(rtmp, "rep"), reference, 5, sizes[i]));
                assertEquals(0, pub.exitCode(), pub.describe());
                published.add(probe(reference));
                Clients.awaitLive(api, "rep", false, null);
            }
            for (long id : ids) {
                assertEquals(200, status(api, "stopRecording?id=" + id));
            }
            for (String type : List.of("mp4", "flv")) {
                Probe same = probe(recordings.resolve("rep." + type));
                Probe other = probe(recordings.resolve("rep-0002." + type));
                long sameFrames = published.get(0).videoFrames() + published.get(1).videoFrames();
                double sameDuration = published.get(0).duration() + published.get(1).duration();
                assertEquals(sameFrames, same.videoFrames(), type + ": the first two publishes in one file, "
                        + sameFrames + " frames published, " + same.videoFrames() + " recorded");
                assertEquals(sameDuration, same.duration(), DURATION_TOLERANCE, type + ": one timeline, "
                        + sameDuration + " s published, " + same.duration() + " s recorded");
                assertEquals(published.get(2).videoFrames(), other.videoFrames(), type + ": the third publish (" + sizes[2]
                        + ") in the next file");
                assertEquals(published.get(2).duration(), other.duration(), DURATION_TOLERANCE, type + ": its duration");
                decodesCleanly("republished-" + type, List.of("-i", recordings.resolve("rep." + type).toString()));
                decodesCleanly("republished-2-" + type, List.of("-i", recordings.resolve("rep-0002." + type).toString()));
            }
        } finally {
            n.node().stop();
        }
    }

    /**
     * RTMP publishes of type record and append (a client of our own sends the type: ffmpeg, OBS and librtmp always say
     * live) of an encode ffmpeg made: record writes {@code <stream>.flv} while the publish lasts, append continues it
     * with timestamps going on, record again replaces it.
     */
    @Test
    void rtmpPublishesOfTypeRecordAndAppendWriteTheStreamsFlvFile() throws Exception {
        Path clip = dir.resolve("clip.flv");
        ExternalProcess make = ExternalProcess.run("make-clip", 60, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=44100", "-t", "4", "-c:v", "libx264", "-preset", "veryfast",
                "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-b:a", "64k", "-f", "flv", clip.toString()));
        assertEquals(0, make.exitCode(), make.describe());
        Probe one = probe(clip);
        Node n = start("rtmp-record");
        int rtmp = n.rtmp();
        int api = n.api();
        Path file = n.recordings().resolve("cam.flv");
        try {
            publishTyped(rtmp, "cam", "record", clip);
            awaitFinished(api, file);
            Probe recorded = probe(file);
            assertEquals(one.videoFrames(), recorded.videoFrames(), "record: the publish's frames");
            assertEquals(one.duration(), recorded.duration(), DURATION_TOLERANCE, "record: its duration");

            publishTyped(rtmp, "cam", "append", clip);
            awaitFinished(api, file);
            Probe appended = probe(file);
            assertEquals(2 * one.videoFrames(), appended.videoFrames(), "append: both publishes' frames");
            assertEquals(2 * one.duration(), appended.duration(), DURATION_TOLERANCE,
                    "append: timestamps go on, " + appended.duration() + " s");
            decodesCleanly("appended", List.of("-i", file.toString()));

            publishTyped(rtmp, "cam", "record", clip);
            awaitFinished(api, file);
            assertEquals(one.videoFrames(), probe(file).videoFrames(), "record again: the file replaced");
            JsonArray listed = api(api, "listRecordings").getJsonArray("data");
            assertEquals(3, listed.size(), listed.encode());
            assertEquals("rtmp record", listed.getJsonObject(0).getString("origin"), listed.encode());
        } finally {
            n.node().stop();
        }
    }

    /** Sends the FLV file's audio and video tags as one RTMP publish of this type, in real time. */
    private static void publishTyped(int rtmp, String stream, String type, Path flv) throws Exception {
        byte[] bytes = Files.readAllBytes(flv);
        try (TestRtmpClient c = new TestRtmpClient(rtmp, 10_000)) {
            c.handshake(false);
            c.connect("live");
            int streamId = c.createStream();
            assertEquals("NetStream.Publish.Start", c.publish(streamId, stream, type));
            long start = System.nanoTime();
            for (int p = 13; p + 11 <= bytes.length; ) {
                int tagType = bytes[p] & 0x1F;
                int size = (bytes[p + 1] & 0xFF) << 16 | (bytes[p + 2] & 0xFF) << 8 | (bytes[p + 3] & 0xFF);
                long ts = (bytes[p + 7] & 0xFFL) << 24 | (bytes[p + 4] & 0xFF) << 16 | (bytes[p + 5] & 0xFF) << 8
                        | (bytes[p + 6] & 0xFF);
                if (tagType == 8 || tagType == 9) {
                    long due = start + ts * 1_000_000;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    c.send(new RtmpMessage(tagType == 8 ? 4 : 6, tagType, streamId, ts,
                            Arrays.copyOfRange(bytes, p + 11, p + 11 + size)));
                }
                p += 11 + size + 4;
            }
            Thread.sleep(200);
        }
    }

    /** Waits until no recording of the node is active and the file is in place, nothing aside. */
    private static void awaitFinished(int api, Path file) throws Exception {
        Await.until("the publish's recording finishes " + file, Duration.ofSeconds(20), () -> {
            JsonArray all = api(api, "listRecordings").getJsonArray("data");
            boolean active = all.stream().map(JsonObject.class::cast).anyMatch(r -> !"stopped".equals(r.getString("state")));
            return !active && Files.exists(file) && !Files.exists(file.resolveSibling("." + file.getFileName() + ".part"));
        });
    }

    /**
     * A node killed (SIGKILL) mid-recording: every finished chunk plays, and each open file aside is playable as it
     * stands (MPEG-TS, FLV, fragmented MP4); the node started again on the same data.dir puts them in place, resumes
     * the recordings in new files, and on SIGTERM finishes those (the MP4 made progressive).
     */
    @Test
    void aKilledNodesFilesPlayAndAreRecoveredWhenItStartsAgain() throws Exception {
        int rtmp = Clients.freePort();
        int api = Clients.freePort();
        Path data = dir.resolve("data");
        Map<String, String> settings = Clients.isolated(new HashMap<>(Map.of("node.name", "killed",
                "bind.host", "127.0.0.1", "rtmp.port", String.valueOf(rtmp), "http.port", "0",
                "api.port", String.valueOf(api), "data.dir", data.toString(), "drain.grace.ms", "500")));
        Path recordings = data.resolve("recordings");
        List<String> parts;
        Probe mp4Part;
        long[] mp4PartIndexed;
        try (ExternalProcess node = ExternalProcess.start("node-killed", Clients.nodeProcess(Clients.flags(settings)))) {
            node.awaitOutput("cascade node killed ready", 60);
            record(api, "localStreamName=k&pathToFile=k.mp4&chunkLength=4");
            record(api, "localStreamName=k&pathToFile=k.ts");
            record(api, "localStreamName=k&pathToFile=k.flv");
            try (ExternalProcess pub = ExternalProcess.start("publish-killed",
                    publish(Clients.rtmpUrl(rtmp, "k"), dir.resolve("killed-reference.flv"), 60, "320x240"))) {
                // two finished chunks (cut at 4 and 8 s), then into the third
                Await.until("two chunks finished", Duration.ofSeconds(30), () -> Files.exists(recordings.resolve("k-0002.mp4")));
                Thread.sleep(2_500);
                node.kill();
                pub.kill();
            }
            try (Stream<Path> all = Files.list(recordings)) {
                parts = all.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).sorted().toList();
            }
            assertEquals(List.of(".k-0003.mp4.part", ".k.flv.part", ".k.ts.part"), parts, "what was open when killed");
            for (String chunk : List.of("k-0001.mp4", "k-0002.mp4")) {
                Probe p = probe(recordings.resolve(chunk));
                assertEquals(4.0, p.duration(), DURATION_TOLERANCE, chunk + " lasts " + p.duration() + " s");
                assertEquals(100, p.videoFrames(), chunk + ": 4 s at 25 fps");
                decodesCleanly(chunk, List.of("-i", recordings.resolve(chunk).toString()));
            }
            for (String part : parts) {
                Path copy = Files.copy(recordings.resolve(part), dir.resolve(part.substring(1, part.length() - 5)));
                Probe p = probe(copy); // by its extension, as a player opens it
                assertTrue(p.videoFrames() > 0 && p.firstVideoFrameIsKey(), part + " as it was left: " + p);
            }
            mp4Part = probe(dir.resolve("k-0003.mp4"));
            mp4PartIndexed = indexed(dir.resolve("k-0003.mp4"));
        }

        try (ExternalProcess node = ExternalProcess.start("node-restarted", Clients.nodeProcess(Clients.flags(settings)))) {
            node.awaitOutput("cascade node killed ready", 60);
            String log = node.stdout();
            for (String part : parts) {
                String name = part.substring(1, part.length() - 5);
                assertTrue(log.contains(part + " recovered as " + name), "recovery logged for " + part + ":\n" + log);
                assertFalse(Files.exists(recordings.resolve(part)), part + " left aside");
                Probe p = probe(recordings.resolve(name));
                assertTrue(p.videoFrames() > 0, name + " recovered: " + p);
                decodesCleanly("recovered-" + name, List.of("-i", recordings.resolve(name).toString()));
            }
            // the MP4 part made progressive as a normal close makes it: moov first, then one mdat; its samples those of
            // the part's whole fragments (a fragment the kill cut is left out)
            Path mp4 = recordings.resolve("k-0003.mp4");
            assertEquals(List.of("ftyp", "moov", "mdat"), topLevelBoxes(mp4), "k-0003.mp4 recovered progressive");
            assertTrue(log.contains("a progressive MP4 of the " + (mp4PartIndexed[0] + mp4PartIndexed[1])
                    + " samples"), "progressive recovery logged:\n" + log);
            Probe recovered = probe(mp4);
            assertEquals(mp4PartIndexed[0], recovered.videoFrames(), "video frames of the part's whole fragments");
            assertEquals(mp4PartIndexed[1], recovered.audioFrames(), "audio frames of the part's whole fragments");
            assertTrue(recovered.firstVideoFrameIsKey());
            assertTrue(mp4Part.videoFrames() - recovered.videoFrames() <= 50 // a fragment: one GOP at most, 2 s
                    && mp4Part.audioFrames() - recovered.audioFrames() <= 100, "at most the cut fragment lost: part "
                    + mp4Part + ", recovered " + recovered);
            System.out.printf("RecordIT figures: killed MP4 part: ffprobe %d video / %d audio packets, whole fragments"
                    + " %d / %d; recovered progressive %d / %d, %.3f s%n", mp4Part.videoFrames(),
                    mp4Part.audioFrames(), mp4PartIndexed[0], mp4PartIndexed[1], recovered.videoFrames(),
                    recovered.audioFrames(), recovered.duration());
            JsonArray resumed = api(api, "listRecordings").getJsonArray("data");
            assertEquals(3, resumed.size(), "kept in data.dir and resumed: " + resumed.encode());
            ExternalProcess pub = ExternalProcess.run("publish-resumed", 40,
                    publish(Clients.rtmpUrl(rtmp, "k"), dir.resolve("resumed-reference.flv"), 5, "320x240"));
            assertEquals(0, pub.exitCode(), pub.describe());
            node.terminate(); // SIGTERM: every open file finished and in place before the node stops
            assertTrue(node.exited(30), "stopped after SIGTERM");
            assertTrue(node.stdout().contains("cascade node killed stopped"), node.stdout());
        }
        // resumed recordings never replace what was recorded before: the next free names (the MP4 cut at 4 s)
        Map<String, Double> resumedFiles = Map.of("k-0004.mp4", 4.0, "k-0005.mp4", 1.0, "k-0002.ts", 5.0,
                "k-0002.flv", 5.0);
        for (String name : resumedFiles.keySet()) {
            Probe p = probe(recordings.resolve(name));
            assertEquals(resumedFiles.get(name), p.duration(), DURATION_TOLERANCE, name + ", the publish after the restart: "
                    + p);
            decodesCleanly("resumed-" + name, List.of("-i", recordings.resolve(name).toString()));
        }
        try (Stream<Path> all = Files.list(recordings)) {
            assertEquals(List.of(), all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
                    "nothing aside after SIGTERM");
        }
    }
}
