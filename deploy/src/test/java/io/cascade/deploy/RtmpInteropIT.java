package io.cascade.deploy;

import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.flv.FlvVideo;
import io.cascade.protocol.flv.PacketKind;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.Await;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real encoders in, real players out, through one node with every role: ffmpeg publishes; ffmpeg, rtmpdump and
 * GStreamer play and decode. Each test uses its own stream name, so they do not depend on one another.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RtmpInteropIT {
    private static final long PLAY_WAIT_MS = 3_000;
    private static CascadeNode node;
    private static int rtmp;
    private static int api;

    @BeforeAll
    static void startNode() throws Exception {
        rtmp = Clients.freePort();
        api = Clients.freePort();
        node = new CascadeNode(NodeConfig.of(Clients.isolated(Map.of("rtmp.port", String.valueOf(rtmp), "http.port", "0",
                "api.port", String.valueOf(api), "bind.host", "127.0.0.1", "node.name", "interop",
                "rtmp.play.wait.ms", String.valueOf(PLAY_WAIT_MS), "edge.linger.ms", "1000"))));
        node.start().await(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    /** Starts ffmpeg publishing and waits (bounded) until the registry lists the stream. */
    private static ExternalProcess publish(String stream) throws Exception {
        ExternalProcess p = ExternalProcess.start("publish-" + stream, ffmpegPublish(rtmpUrl(rtmp, stream), 60));
        awaitLive(stream, true, p);
        return p;
    }

    private static void awaitLive(String stream, boolean live, ExternalProcess publisher) throws Exception {
        Clients.awaitLive(api, stream, live, publisher);
    }

    @Test
    void ffmpegPlaysBackAndDecodesVideoAndAudio() throws Exception {
        try (ExternalProcess pub = publish("ffplay")) {
            ExternalProcess play = ExternalProcess.run("ffmpeg-play", 30, ffmpegDecode(rtmpUrl(rtmp, "ffplay"), 4));
            assertEquals(0, play.exitCode(), play.describe());
            String frames = play.stdout();
            // 4 s of 25 fps video and 44.1 kHz AAC (43 frames/s), with slack for the start
            assertTrue(countLines(frames, "0,") >= 75, "video frames decoded: " + countLines(frames, "0,"));
            assertTrue(countLines(frames, "1,") >= 120, "audio frames decoded: " + countLines(frames, "1,"));
        }
    }

    @Test
    void rtmpdumpRecordsAnFlvThatFfprobeAccepts() throws Exception {
        try (ExternalProcess pub = publish("dump")) {
            Path flv = Files.createDirectories(Path.of("target", "interop-logs")).resolve("rtmpdump.flv");
            Files.deleteIfExists(flv);
            ExternalProcess dump = ExternalProcess.start("rtmpdump", List.of("rtmpdump", "-q", "-v", "-r",
                    rtmpUrl(rtmp, "dump"), "-o", flv.toString()));
            // FLV is readable while it grows: record until what the checks below need is there
            Await.until(() -> "rtmpdump recorded over 50 frames of video and audio: " + dump.describe(),
                    Duration.ofSeconds(20), () -> {
                        assertTrue(dump.isAlive(), () -> "rtmpdump exited: " + dump.describe());
                        return enoughFrames(probeFrames(flv).stdout());
                    });
            dump.interrupt(); // rtmpdump finishes the file on SIGINT
            dump.waitFor(10);
            ExternalProcess probe = probeFrames(flv);
            assertEquals(0, probe.exitCode(), probe.describe());
            String out = probe.stdout();
            assertTrue(out.contains("h264,") && out.contains("aac,"), "streams: " + out);
            for (String line : out.strip().split("\n")) {
                assertTrue(Integer.parseInt(line.split(",")[1].strip()) > 50, "too few frames: " + out);
            }
        }
    }

    /** ffprobe's "codec,frames" line per stream of the file. */
    private static ExternalProcess probeFrames(Path flv) throws Exception {
        return ExternalProcess.run("ffprobe", 30, List.of("ffprobe", "-v", "error", "-count_frames",
                "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", flv.toString()));
    }

    private static boolean enoughFrames(String probed) {
        if (!(probed.contains("h264,") && probed.contains("aac,"))) {
            return false;
        }
        for (String line : probed.strip().split("\n")) {
            String[] codecAndFrames = line.split(",");
            if (codecAndFrames.length < 2 || !codecAndFrames[1].strip().matches("\\d+")
                    || Integer.parseInt(codecAndFrames[1].strip()) <= 50) {
                return false;
            }
        }
        return true;
    }

    @Test
    void gstreamerRtmp2srcDecodesVideoAndAudio() throws Exception {
        try (ExternalProcess pub = publish("gst")) {
            // -v makes each fakesink print a line per buffer it gets: the decoded pictures and audio blocks, counted
            ExternalProcess gst = ExternalProcess.run("gst", 40, List.of("gst-launch-1.0", "-v",
                    "rtmp2src", "location=" + rtmpUrl(rtmp, "gst"), "num-buffers=200", "!", "flvdemux", "name=d",
                    "d.video", "!", "queue", "!", "h264parse", "!", "avdec_h264", "!", "video/x-raw", "!",
                    "fakesink", "name=pictures", "silent=false",
                    "d.audio", "!", "queue", "!", "aacparse", "!", "avdec_aac", "!", "audio/x-raw", "!",
                    "fakesink", "name=sound", "silent=false"));
            assertEquals(0, gst.exitCode(), gst.describe());
            String out = gst.stdout();
            long pictures = countContaining(out, "GstFakeSink:pictures: last-message = chain");
            long sound = countContaining(out, "GstFakeSink:sound: last-message = chain");
            // 200 FLV tags are about 3 s of 25 fps video and 43 AAC frames a second: most of them decode
            assertTrue(pictures >= 40, "pictures decoded: " + pictures + "\n" + gst.describe());
            assertTrue(sound >= 60, "audio frames decoded: " + sound + "\n" + gst.describe());
        }
    }

    private static long countContaining(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    @Test
    void aNewViewerStartsAtOnceFromTheGopCache() throws Exception {
        try (ExternalProcess pub = publish("fast"); TestRtmpClient watcher = new TestRtmpClient(rtmp, 5_000);
             TestRtmpClient viewer = new TestRtmpClient(rtmp, 5_000)) {
            // a viewer playing since the start: the newest timestamp it has when the second one asks is how far
            // the stream had come at that moment (both get the same timeline)
            watcher.handshake(false);
            watcher.connect("live");
            assertEquals("NetStream.Play.Reset", watcher.play(watcher.createStream(), "fast"));
            AtomicLong newest = new AtomicLong(-1);
            Thread reader = new Thread(() -> {
                try {
                    for (RtmpMessage m; (m = watcher.readMedia()) != null; ) {
                        newest.accumulateAndGet(m.timestamp(), Math::max);
                    }
                } catch (Exception e) {
                    // the test closes the watcher when it is done
                }
            }, "gop-watcher");
            reader.setDaemon(true);
            reader.start();
            // time passing is the point: 1.5 s into a stream of 1 s GOPs is mid-GOP, where a viewer without a
            // cache would wait for the next keyframe
            Thread.sleep(1_500);
            viewer.handshake(true);
            viewer.connect("live");
            int id = viewer.createStream();
            long streamAtRequest = newest.get();
            long t0 = System.nanoTime();
            assertEquals("NetStream.Play.Reset", viewer.play(id, "fast"));
            FlvVideo first = null;
            RtmpMessage firstMessage = null;
            for (RtmpMessage m; first == null || first.kind() == PacketKind.CONFIG; ) {
                m = viewer.readMedia();
                assertNotNull(m, "no media");
                if (m.typeId() == MessageType.VIDEO) {
                    first = FlvTags.parseVideo(m.payload(), 0, m.payload().length);
                    firstMessage = m;
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(first.keyframe(), "the first picture a viewer gets is a keyframe");
            // the keyframe is in the cache: far less than the 1 s GOP a viewer would otherwise wait
            assertTrue(ms < 400, "first keyframe after " + ms + " ms");
            // and it is one from before the request, not the next live keyframe that happened to come quickly
            assertTrue(streamAtRequest > 1_000, "the watcher followed the stream: " + streamAtRequest + " ms");
            assertTrue(firstMessage.timestamp() < streamAtRequest, "the first keyframe (" + firstMessage.timestamp()
                    + " ms) predates the play request (the stream was at " + streamAtRequest + " ms)");
            watcher.close();
            reader.join(5_000);
        }
    }

    @Test
    void viewersAreToldWhenThePublisherDiesAndResumeOnRepublish() throws Exception {
        ExternalProcess first = publish("again");
        try (TestRtmpClient viewer = new TestRtmpClient(rtmp, 5_000)) {
            viewer.handshake(false);
            viewer.connect("live");
            int id = viewer.createStream();
            viewer.play(id, "again");
            long lastBefore = -1;
            for (int i = 0; i < 50; i++) {
                lastBefore = Math.max(lastBefore, viewer.readMedia().timestamp());
            }
            first.kill(); // SIGKILL: no FCUnpublish, the socket just dies
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!viewer.statusCodes().contains("NetStream.Play.UnpublishNotify") && System.nanoTime() < deadline) {
                RtmpMessage m = viewer.read();
                if (m != null && (m.typeId() == MessageType.VIDEO || m.typeId() == MessageType.AUDIO)) {
                    lastBefore = Math.max(lastBefore, m.timestamp());
                }
            }
            assertTrue(viewer.statusCodes().contains("NetStream.Play.UnpublishNotify"), viewer.statusCodes().toString());
            awaitLive("again", false, null);

            try (ExternalProcess second = publish("again")) {
                RtmpMessage m = viewer.readMedia(); // the same connection goes on
                assertNotNull(m, "no media after the republish");
                assertTrue(viewer.statusCodes().contains("NetStream.Play.PublishNotify"), viewer.statusCodes().toString());
                assertTrue(m.timestamp() > lastBefore, "timestamps continue: " + m.timestamp() + " after " + lastBefore);
                // and a real player joins the republished stream
                ExternalProcess play = ExternalProcess.run("ffmpeg-play-again", 30, ffmpegDecode(rtmpUrl(rtmp, "again"), 2));
                assertEquals(0, play.exitCode(), play.describe());
                assertTrue(countLines(play.stdout(), "0,") >= 30, "video frames after republish");
            }
        } finally {
            first.close();
        }
    }

    /**
     * Players as users run them: `-map 0` takes every stream the server offers, so a stream that never gets a
     * packet (script data ffmpeg's FLV reader does not know) would keep `-t` from ever ending; ffprobe must list
     * exactly what the publisher sent. On a first publish and after a republish.
     */
    @Test
    void ffmpegMapAllEndsOnItsDurationAndFfprobeListsOnlyAudioAndVideo() throws Exception {
        ExternalProcess first = publish("mapall");
        try {
            assertPlayersSeeExactlyAudioAndVideo("mapall", first);
            first.kill();
            awaitLive("mapall", false, null);
            try (ExternalProcess second = publish("mapall")) {
                assertPlayersSeeExactlyAudioAndVideo("mapall", second);
            }
        } finally {
            first.close();
        }
    }

    private static void assertPlayersSeeExactlyAudioAndVideo(String stream, ExternalProcess publisher) throws Exception {
        ExternalProcess probe = ExternalProcess.run("ffprobe-" + stream, 20, List.of("ffprobe", "-v", "error",
                "-show_entries", "stream=codec_type", "-of", "csv=p=0", rtmpUrl(rtmp, stream)));
        assertEquals(0, probe.exitCode(), probe.describe());
        assertEquals(List.of("audio", "video"), probe.stdout().lines().map(String::strip).sorted().toList(),
                "streams ffprobe lists: " + probe.describe());
        long t0 = System.nanoTime();
        ExternalProcess copy = ExternalProcess.run("ffmpeg-map-all-" + stream, 8, List.of("ffmpeg", "-v", "error",
                "-i", rtmpUrl(rtmp, stream), "-map", "0", "-c", "copy", "-t", "6", "-f", "framecrc", "-"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, copy.exitCode(), "ffmpeg -map 0 -t 6 did not end within 8 s (" + seconds + " s): "
                + copy.describe() + " / " + publisher.describe());
        assertTrue(countLines(copy.stdout(), "0,") > 100 && countLines(copy.stdout(), "1,") > 100,
                "6 s of both tracks copied: " + copy.describe());
    }

    @Test
    void aSecondPublisherOnALiveNameIsRefusedAndTheFirstGoesOn() throws Exception {
        try (ExternalProcess pub = publish("taken")) {
            ExternalProcess intruder = ExternalProcess.run("publish-intruder", 20, ffmpegPublish(rtmpUrl(rtmp, "taken"), 10));
            assertNotEquals(0, intruder.exitCode(), "the second publisher must fail: " + intruder.describe());
            assertNotEquals(-1, intruder.exitCode(), "the second publisher must be refused, not left hanging");
            assertTrue(pub.isAlive(), "the first publisher was disturbed: " + pub.describe());
            ExternalProcess play = ExternalProcess.run("ffmpeg-play-taken", 30, ffmpegDecode(rtmpUrl(rtmp, "taken"), 2));
            assertEquals(0, play.exitCode(), play.describe());
            assertTrue(countLines(play.stdout(), "0,") >= 30, "the first publisher's stream still plays");
        }
    }

    @Test
    void playingANameNobodyPublishesWaitsThenSaysStreamNotFound() throws Exception {
        try (TestRtmpClient viewer = new TestRtmpClient(rtmp, (int) PLAY_WAIT_MS + 3_000)) {
            viewer.handshake(false);
            viewer.connect("live");
            int id = viewer.createStream();
            long t0 = System.nanoTime();
            assertEquals("NetStream.Play.StreamNotFound", viewer.play(id, "nobody"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= PLAY_WAIT_MS - 100 && ms < PLAY_WAIT_MS + 2_000, "answered after " + ms + " ms");
        }
    }

    @Test
    void aViewerWaitingForANameStartsWhenItIsPublished() throws Exception {
        try (TestRtmpClient viewer = new TestRtmpClient(rtmp, 10_000)) {
            viewer.handshake(false);
            viewer.connect("live");
            int id = viewer.createStream();
            viewer.command(id, "play", null, "later", -2.0);
            try (ExternalProcess pub = ExternalProcess.start("publish-later", ffmpegPublish(rtmpUrl(rtmp, "later"), 30))) {
                RtmpMessage m = viewer.readMedia();
                assertNotNull(m, "no media: " + pub.describe());
                assertTrue(viewer.statusCodes().contains("NetStream.Play.Start"), viewer.statusCodes().toString());
            }
        }
    }
}
