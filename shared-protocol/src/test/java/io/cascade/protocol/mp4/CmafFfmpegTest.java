package io.cascade.protocol.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.protocol.flv.FlvAudio;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.flv.FlvVideo;
import io.cascade.protocol.flv.PacketKind;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.NalUnits;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-client check: the fixture clip, as an RTMP publisher would send it, packaged into init + 2 media segments per track
 * and read back by ffprobe / ffmpeg, both as plain concatenated files and as HLS (fMP4 segments with EXT-X-MAP).
 *
 * <p>The fixture testsrc2-320x240-h264-aac.flv (2 s, GOP 25, B-frames, mono AAC) was made with ffmpeg 5.1:
 * {@code ffmpeg -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2
 * -c:v libx264 -preset veryfast -crf 32 -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 32k -ac 1
 * -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -f flv testsrc2-320x240-h264-aac.flv}
 */
class CmafFfmpegTest {
    private static final int VIDEO_TIMESCALE = 90_000;
    private static final int AUDIO_TIMESCALE = 48_000;
    private static final int VIDEO_FRAMES = 50;
    /** The fixture's video timestamps are exact 40 ms steps (25 fps). */
    private static final int FRAME_DURATION = VIDEO_TIMESCALE / 25;
    private static final int AAC_FRAME_SAMPLES = 1024;

    private static CmafTrack video;
    private static CmafTrack audio;
    private static List<List<CmafSample>> videoSegments;
    private static List<List<CmafSample>> audioSegments;

    @TempDir
    Path dir;

    /** A video tag of the fixture: FLV timestamps are milliseconds. */
    private record FlvFrame(long dtsMs, int ctsMs, boolean keyframe, byte[] accessUnit) {
    }

    @BeforeAll
    static void packageTheFixture() throws Exception {
        byte[] flv;
        try (InputStream in = CmafFfmpegTest.class.getResourceAsStream("testsrc2-320x240-h264-aac.flv")) {
            flv = in.readAllBytes();
        }
        byte[] avcConfig = null;
        byte[] asc = null;
        List<FlvFrame> videoFrames = new ArrayList<>();
        List<byte[]> audioFrames = new ArrayList<>();
        int nalLengthSize = 4;
        // FLV file: 9-byte header, then PreviousTagSize (4) and tags of an 11-byte header + body
        for (int p = 9 + 4; p + 11 <= flv.length; ) {
            int type = flv[p] & 0x1F;
            int size = (flv[p + 1] & 0xFF) << 16 | (flv[p + 2] & 0xFF) << 8 | (flv[p + 3] & 0xFF);
            long timestamp = (flv[p + 7] & 0xFFL) << 24 | (flv[p + 4] & 0xFF) << 16 | (flv[p + 5] & 0xFF) << 8
                    | (flv[p + 6] & 0xFF);
            int body = p + 11;
            if (type == 9) {
                FlvVideo v = FlvTags.parseVideo(flv, body, size);
                if (v.kind() == PacketKind.CONFIG) {
                    avcConfig = Arrays.copyOfRange(flv, v.dataOffset(), v.dataOffset() + v.dataLength());
                    nalLengthSize = AvcDecoderConfig.parse(avcConfig, 0, avcConfig.length).nalLengthSize();
                } else if (v.kind() == PacketKind.FRAME) {
                    byte[] au = NalUnits.toFourByteLengths(flv, v.dataOffset(), v.dataLength(), nalLengthSize);
                    videoFrames.add(new FlvFrame(timestamp, v.compositionTimeMs(), v.keyframe(), au));
                }
            } else if (type == 8) {
                FlvAudio a = FlvTags.parseAudio(flv, body, size);
                byte[] data = Arrays.copyOfRange(flv, a.dataOffset(), a.dataOffset() + a.dataLength());
                if (a.kind() == PacketKind.CONFIG) {
                    asc = data;
                } else if (a.kind() == PacketKind.FRAME) {
                    audioFrames.add(data);
                }
            }
            p = body + size + 4;
        }
        video = new CmafTrack(1, Codec.H264, VIDEO_TIMESCALE, avcConfig);
        audio = new CmafTrack(2, Codec.AAC, AUDIO_TIMESCALE, asc);

        // video: a new segment at each keyframe, milliseconds to 90 kHz, durations from the next frame's decode time
        videoSegments = new ArrayList<>();
        for (int i = 0; i < videoFrames.size(); i++) {
            FlvFrame f = videoFrames.get(i);
            long dts = f.dtsMs() * 90;
            long nextDts = i + 1 < videoFrames.size() ? videoFrames.get(i + 1).dtsMs() * 90 : dts + FRAME_DURATION;
            if (f.keyframe()) {
                videoSegments.add(new ArrayList<>());
            }
            CmafSample sample = new CmafSample(dts, (int) (nextDts - dts), f.ctsMs() * 90, f.keyframe(), f.accessUnit());
            videoSegments.get(videoSegments.size() - 1).add(sample);
        }
        // audio: exact sample-count timestamps (no millisecond rounding), cut where the second video segment starts
        long cut = videoSegments.get(1).get(0).decodeTime() * AUDIO_TIMESCALE / VIDEO_TIMESCALE;
        audioSegments = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < audioFrames.size(); i++) {
            long time = (long) i * AAC_FRAME_SAMPLES;
            CmafSample sample = new CmafSample(time, AAC_FRAME_SAMPLES, 0, true, audioFrames.get(i));
            audioSegments.get(time < cut ? 0 : 1).add(sample);
        }
    }

    @Test
    void fixtureGivesTwoGopsAndTheExpectedTrackInfo() {
        assertEquals(2, videoSegments.size());
        assertEquals(25, videoSegments.get(0).size());
        assertEquals(25, videoSegments.get(1).size());
        assertEquals("avc1.64000D", CmafWriter.codecs(video));
        assertEquals(320, CmafWriter.width(video));
        assertEquals(240, CmafWriter.height(video));
        assertEquals("mp4a.40.2", CmafWriter.codecs(audio));
        assertTrue(videoSegments.get(0).stream().anyMatch(s -> s.compositionOffset() > 0), "B-frames reorder");
    }

    /**
     * The exact bytes, pinned: nodes (and nodes of different versions during an upgrade) must write identical segments,
     * so a change here is a format change to make on purpose, not a side effect.
     */
    @Test
    void outputBytesArePinned() throws Exception {
        assertEquals("c63553b7d3a6afb89a41580e7ee87e29dbae3da20842f2b91958677dbccf0ea1",
                sha256(trackFile(video, videoSegments)));
        assertEquals("c1e21e3682feb9899760b16d3779216f1d2dda544854e73cdb39aa3e814fbbf7",
                sha256(trackFile(audio, audioSegments)));
    }

    @Test
    void ffprobeReadsConcatenatedInitAndSegments() throws Exception {
        assumeFfmpeg();
        Path videoFile = write("video.mp4", trackFile(video, videoSegments));
        Map<String, String> v = probe(videoFile).get(0);
        assertEquals("h264", v.get("codec_name"));
        assertEquals("High", v.get("profile"));
        assertEquals("320", v.get("width"));
        assertEquals("240", v.get("height"));
        assertEquals(String.valueOf(VIDEO_FRAMES), v.get("nb_read_frames"));
        assertDecodesCleanly(videoFile);

        Path audioFile = write("audio.mp4", trackFile(audio, audioSegments));
        Map<String, String> a = probe(audioFile).get(0);
        assertEquals("aac", a.get("codec_name"));
        assertEquals("48000", a.get("sample_rate"));
        assertEquals("1", a.get("channels"));
        assertEquals(String.valueOf(audioFrameCount()), a.get("nb_read_frames"));
        assertDecodesCleanly(audioFile);
    }

    @Test
    void ffmpegPlaysTheSegmentsAsHls() throws Exception {
        assumeFfmpeg();
        mediaPlaylist("video", video, videoSegments);
        mediaPlaylist("audio", audio, audioSegments);
        String master = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"main\",DEFAULT=YES,AUTOSELECT=YES,URI=\"audio.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS=\"" + CmafWriter.codecs(video) + "," + CmafWriter.codecs(audio)
                + "\",RESOLUTION=" + CmafWriter.width(video) + "x" + CmafWriter.height(video) + ",AUDIO=\"aac\"\n"
                + "video.m3u8\n";
        Path playlist = write("master.m3u8", master.getBytes(StandardCharsets.US_ASCII));
        Map<String, Map<String, String>> byType = new LinkedHashMap<>();
        for (Map<String, String> s : probe(playlist)) {
            byType.put(s.get("codec_type"), s);
        }
        assertEquals("h264", byType.get("video").get("codec_name"));
        assertEquals("320", byType.get("video").get("width"));
        assertEquals(String.valueOf(VIDEO_FRAMES), byType.get("video").get("nb_read_frames"));
        assertEquals("aac", byType.get("audio").get("codec_name"));
        assertEquals(String.valueOf(audioFrameCount()), byType.get("audio").get("nb_read_frames"));
        assertDecodesCleanly(playlist);
    }

    /**
     * H.265 through a real decoder: libx265 encodes an odd size (322x182, coded as 328x184 with a conformance window) as
     * Annex B; the test builds the hvcC a publisher would send (with 2-byte NAL lengths, which the writer must rewrite).
     */
    @Test
    void ffprobeReadsHevcWithAConformanceWindow() throws Exception {
        assumeFfmpeg();
        Path annexB = dir.resolve("clip.hevc");
        run("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=322x182:rate=25", "-frames:v", "20",
                "-c:v", "libx265", "-preset", "ultrafast",
                "-x265-params", "log-level=error:bframes=0:keyint=10:min-keyint=10:scenecut=0:no-open-gop=1",
                "-f", "hevc", annexB.toString());
        List<List<byte[]>> accessUnits = HevcAnnexB.accessUnits(Files.readAllBytes(annexB));
        CmafTrack hevc = new CmafTrack(1, Codec.H265, VIDEO_TIMESCALE, HevcAnnexB.configRecord(accessUnits.get(0), 2));
        assertEquals(322, CmafWriter.width(hevc));
        assertEquals(182, CmafWriter.height(hevc));

        List<List<CmafSample>> segments = new ArrayList<>();
        for (int i = 0; i < accessUnits.size(); i++) {
            boolean sync = HevcAnnexB.isIrap(accessUnits.get(i));
            if (sync) {
                segments.add(new ArrayList<>());
            }
            segments.get(segments.size() - 1).add(new CmafSample((long) i * FRAME_DURATION, FRAME_DURATION, 0, sync,
                    HevcAnnexB.sampleData(accessUnits.get(i))));
        }
        assertEquals(2, segments.size());
        Path file = write("hevc.mp4", trackFile(hevc, segments));
        Map<String, String> v = probe(file).get(0);
        assertEquals("hevc", v.get("codec_name"));
        assertEquals("hvc1", v.get("codec_tag_string"));
        assertEquals("322", v.get("width"));
        assertEquals("182", v.get("height"));
        assertEquals("20", v.get("nb_read_frames"));
        assertDecodesCleanly(file);
    }

    private void mediaPlaylist(String name, CmafTrack track, List<List<CmafSample>> segments) throws IOException {
        StringBuilder m3u8 = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n")
                .append("#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n")
                .append("#EXT-X-MAP:URI=\"").append(name).append("-init.mp4\"\n");
        write(name + "-init.mp4", CmafWriter.initSegment(track));
        for (int i = 0; i < segments.size(); i++) {
            List<CmafSample> samples = segments.get(i);
            long duration = samples.stream().mapToLong(CmafSample::duration).sum();
            write(name + "-" + (i + 1) + ".m4s", CmafWriter.mediaSegment(track, i + 1, samples));
            m3u8.append(String.format(Locale.ROOT, "#EXTINF:%.5f,%n", (double) duration / track.timescale()))
                    .append(name).append('-').append(i + 1).append(".m4s\n");
        }
        m3u8.append("#EXT-X-ENDLIST\n");
        write(name + ".m3u8", m3u8.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] trackFile(CmafTrack track, List<List<CmafSample>> segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(CmafWriter.initSegment(track));
        for (int i = 0; i < segments.size(); i++) {
            out.writeBytes(CmafWriter.mediaSegment(track, i + 1, segments.get(i)));
        }
        return out.toByteArray();
    }

    private static int audioFrameCount() {
        return audioSegments.get(0).size() + audioSegments.get(1).size();
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    /** ffprobe -show_streams -count_frames: one key=value map per stream. */
    private List<Map<String, String>> probe(Path file) throws Exception {
        String out = run("ffprobe", "-v", "error", "-show_streams", "-count_frames", file.toString());
        List<Map<String, String>> streams = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.equals("[STREAM]")) {
                streams.add(new LinkedHashMap<>());
            } else if (line.contains("=") && !streams.isEmpty()) {
                int eq = line.indexOf('=');
                streams.get(streams.size() - 1).put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(!streams.isEmpty(), "ffprobe found no stream in " + file + ":\n" + out);
        return streams;
    }

    /** ffmpeg decodes every frame with -xerror (stop at the first error) and prints nothing at -v error. */
    private void assertDecodesCleanly(Path file) throws Exception {
        run("ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", file.toString(), "-f", "null", "-");
    }

    /** Runs a command to completion (30 s at most); fails on a non-zero exit or anything on stderr; returns stdout. */
    private String run(String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command[0] + " did not finish in 30 s");
        }
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), command[0] + " failed: " + stderr);
        assertEquals("", stderr, command[0] + " reported errors");
        return Files.readString(out);
    }

    private static void assumeFfmpeg() {
        Assumptions.assumeTrue(onPath("ffmpeg") && onPath("ffprobe"), "ffmpeg/ffprobe not installed");
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
