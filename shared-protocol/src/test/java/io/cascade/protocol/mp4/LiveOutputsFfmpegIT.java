package io.cascade.protocol.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.flv.FlvWriter;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live viewer encodings through a real decoder, without sockets: the committed clip, published twice (the second
 * time with its timestamps moved after the first, as the fan-out does for a republish), written as the byte stream a
 * WebSocket viewer saves ({@link Fmp4Stream}: the init segment when it changes, then a fragment per frame) and as
 * the one an HTTP-FLV viewer gets ({@link FlvWriter}); ffprobe counts every frame of both publishes and ffmpeg
 * decodes them without an error.
 */
@Tag("interop")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveOutputsFfmpegIT {
    private static final long REPUBLISH_GAP_MS = 40;
    private static List<MediaFrame> clip;
    private static int audioFrames;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        clip = ClipFrames.load();
        audioFrames = (int) clip.stream().filter(f -> f.trackType() == TrackType.AUDIO && !f.isConfig()).count();
    }

    /** The clip's frames with the viewer-facing timestamps of two publishes: {frame, timestamp} pairs. */
    private static void twice(FrameWriter out) throws Exception {
        long last = 0;
        for (MediaFrame f : clip) {
            out.write(f, f.dtsMillis(), false);
            last = Math.max(last, f.dtsMillis());
        }
        long shift = last + REPUBLISH_GAP_MS;
        boolean first = true;
        for (MediaFrame f : clip) {
            out.write(f, f.dtsMillis() + shift, first);
            first = false;
        }
    }

    private interface FrameWriter {
        void write(MediaFrame f, long timestampMillis, boolean republished) throws Exception;
    }

    @Test
    void theWebSocketByteStreamDecodesWithEveryFrameOfBothPublishes() throws Exception {
        Fmp4Stream stream = new Fmp4Stream();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[][] sentInit = {null};
        byte[][] pendingInit = {null};
        twice((f, ts, republished) -> {
            if (republished) {
                stream.reset();
            }
            if (f.isConfig()) {
                stream.configure(f);
                pendingInit[0] = stream.initSegment();
                return;
            }
            byte[] fragment = stream.fragment(f, ts);
            if (fragment == null) {
                return;
            }
            // what a WebSocket viewer does: the init before the first fragment after it, when it differs
            if (pendingInit[0] != null && !Arrays.equals(pendingInit[0], sentInit[0])) {
                file.writeBytes(pendingInit[0]);
                sentInit[0] = pendingInit[0];
            }
            pendingInit[0] = null;
            file.writeBytes(fragment);
        });
        Path mp4 = Files.write(dir.resolve("ws.mp4"), file.toByteArray());
        assertEquals("h264," + 2 * ClipFrames.VIDEO_FRAMES + "\naac," + 2 * audioFrames, probe(mp4));
        decodeCleanly(mp4);
    }

    @Test
    void theFlvByteStreamDecodesWithEveryFrameOfBothPublishes() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(FlvWriter.fileHeader(true, true));
        twice((f, ts, republished) -> file.writeBytes(FlvWriter.tag(f, ts)));
        Path flv = Files.write(dir.resolve("http.flv"), file.toByteArray());
        assertEquals("h264," + 2 * ClipFrames.VIDEO_FRAMES + "\naac," + 2 * audioFrames, probe(flv));
        decodeCleanly(flv);
    }

    /** "codec,frames" per stream, video first. */
    private String probe(Path file) throws Exception {
        return run("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
                "-of", "csv=p=0", file.toString()).strip().replace("\r", "");
    }

    private void decodeCleanly(Path file) throws Exception {
        run("ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", file.toString(), "-f", "null", "-");
    }

    private String run(String... command) throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin", command[0])) || RealClient.onPath(command[0]),
                command[0] + " not installed: deploy/bin/test installs every real client");
        return RealClient.run(dir, command);
    }
}
