package io.cascade.protocol.ts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-client check: ffmpeg encodes a short clip, the clip's frames are packaged into consecutive segments exactly as an
 * edge would, and ffprobe / ffmpeg and GStreamer read the segments back to back, as an HLS client
 * appends them. Fails (never skips) when ffmpeg or GStreamer is not installed; deploy/bin/test installs them.
 */
@Tag("interop")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TsSegmentFfmpegIT {
    private static final int FRAMES = 50; // 2 s at 25 fps, one keyframe per second: two segments

    @TempDir
    Path dir;

    @BeforeAll
    static void needsFfmpeg() {
        assertTrue(installed("ffmpeg", "-version") && installed("ffprobe", "-version"),
                "ffmpeg/ffprobe not installed: deploy/bin/test installs every real client");
    }

    @Test
    void h264AndAacSegmentsDecodeBackToBackWithoutErrors() throws Exception {
        Path flv = dir.resolve("clip.flv");
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
                "-t", "2", "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-f", "flv", flv.toString());
        Clip clip = Clip.fromFlv(Files.readAllBytes(flv));
        assertEquals(FRAMES, clip.videoFrames());
        assertTrue(clip.samples.stream().anyMatch(s -> s.video() && s.pts90k() != s.dts90k()), "B-frames: PTS and DTS");

        List<byte[]> segments = segments(clip);
        assertEquals(2, segments.size());
        Path ts = write("h264.ts", segments);

        Map<String, String> probe = probe(ts);
        assertEquals("h264", probe.get("streams.stream.0.codec_name"));
        assertEquals("320", probe.get("streams.stream.0.width"));
        assertEquals("240", probe.get("streams.stream.0.height"));
        assertEquals(String.valueOf(FRAMES), probe.get("streams.stream.0.nb_read_frames"));
        assertEquals("aac", probe.get("streams.stream.1.codec_name"));
        assertEquals("44100", probe.get("streams.stream.1.sample_rate"));
        assertEquals(String.valueOf(clip.audioFrames()), probe.get("streams.stream.1.nb_read_frames"));
        assertEquals(null, probe.get("streams.stream.2.codec_name"));
        decodesWithoutErrors(ts);
        continuityRestartsAreAccepted(ts, segments);
        gstreamerDecodesWithoutWarnings(ts, "d. ! queue ! h264parse ! avdec_h264 ! fakesink",
                "d. ! queue ! aacparse ! avdec_aac ! fakesink");
        secondSegmentDecodesAlone(segments.get(1), "h264");
    }

    @Test
    void audioOnlySegmentsDecodeBackToBack() throws Exception {
        Path flv = dir.resolve("audio.flv");
        ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:a", "aac", "-ac", "2",
                "-f", "flv", flv.toString());
        Clip clip = Clip.fromFlv(Files.readAllBytes(flv));
        TsTrackConfig tracks = TsTrackConfig.audioOnly(clip.audioConfig);
        int half = clip.samples.size() / 2;
        List<byte[]> segments = List.of(TsSegmentWriter.segment(tracks, clip.samples.subList(0, half)),
                TsSegmentWriter.segment(tracks, clip.samples.subList(half, clip.samples.size())));
        Path ts = write("audio.ts", segments);

        Map<String, String> probe = probe(ts);
        assertEquals("aac", probe.get("streams.stream.0.codec_name"));
        assertEquals("48000", probe.get("streams.stream.0.sample_rate"));
        assertEquals("2", probe.get("streams.stream.0.channels"));
        assertEquals(String.valueOf(clip.audioFrames()), probe.get("streams.stream.0.nb_read_frames"));
        assertEquals(null, probe.get("streams.stream.1.codec_name"));
        decodesWithoutErrors(ts);
        continuityRestartsAreAccepted(ts, segments);
        gstreamerDecodesWithoutWarnings(ts, "d. ! queue ! aacparse ! avdec_aac ! fakesink");
    }

    @Test
    void hevcSegmentsDecodeBackToBackWithParameterSetsFromTheConfig() throws Exception {
        // ffmpeg 5.1 cannot put HEVC in FLV: take the raw Annex B stream, keep VPS/SPS/PPS only in a configuration record
        // (as RTMP and MP4 carry them) so that the writer must insert them on each keyframe. No B-frames: PTS = DTS.
        Path hevc = dir.resolve("clip.hevc");
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2", "-c:v", "libx265", "-g", "25",
                "-x265-params", "log-level=error:bframes=0:scenecut=0", "-f", "hevc", hevc.toString());
        Clip clip = Clip.fromHevcAnnexB(Files.readAllBytes(hevc));
        assertEquals(FRAMES, clip.videoFrames());
        List<byte[]> segments = segments(clip);
        assertEquals(2, segments.size());
        Path ts = write("hevc.ts", segments);

        Map<String, String> probe = probe(ts);
        assertEquals("hevc", probe.get("streams.stream.0.codec_name"));
        assertEquals("320", probe.get("streams.stream.0.width"));
        assertEquals("240", probe.get("streams.stream.0.height"));
        assertEquals(String.valueOf(FRAMES), probe.get("streams.stream.0.nb_read_frames"));
        decodesWithoutErrors(ts);
        continuityRestartsAreAccepted(ts, segments);
        gstreamerDecodesWithoutWarnings(ts, "d. ! queue ! h265parse ! avdec_h265 ! fakesink");
        secondSegmentDecodesAlone(segments.get(1), "hevc");
    }

    /** One segment per keyframe, as an edge cuts them; audio before the first keyframe stays in the first segment. */
    private static List<byte[]> segments(Clip clip) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < clip.samples.size(); i++) {
            TsSample s = clip.samples.get(i);
            if (s.video() && s.keyframe() && i > 0 && clip.samples.subList(0, i).stream().anyMatch(TsSample::video)) {
                cuts.add(i);
            }
        }
        cuts.add(clip.samples.size());
        List<byte[]> segments = new ArrayList<>();
        int from = 0;
        for (int to : cuts) {
            segments.add(TsSegmentWriter.segment(clip.tracks(), clip.samples.subList(from, to)));
            from = to;
        }
        return segments;
    }

    /** A client may start at any segment: the second one alone has the parameter sets it needs for all its frames. */
    private void secondSegmentDecodesAlone(byte[] segment, String codec) throws Exception {
        Path ts = write("second-" + codec + ".ts", List.of(segment));
        Map<String, String> probe = probe(ts);
        assertEquals(codec, probe.get("streams.stream.0.codec_name"));
        assertEquals(String.valueOf(FRAMES / 2), probe.get("streams.stream.0.nb_read_frames"));
        decodesWithoutErrors(ts);
    }

    private void decodesWithoutErrors(Path ts) throws Exception {
        Run r = run("ffmpeg", "-nostdin", "-v", "error", "-i", ts.toString(), "-f", "null", "-");
        assertEquals(0, r.exit, r.stderr);
        assertEquals("", r.stderr);
    }

    /**
     * ffmpeg reports a continuity counter jump only at debug level (and marks the PES corrupt). With the
     * discontinuity_indicator it reports none; with the flag cleared in the second segment (the control) it does.
     */
    private void continuityRestartsAreAccepted(Path ts, List<byte[]> segments) throws Exception {
        assertFalse(run("ffprobe", "-v", "debug", ts.toString()).stderr.contains("Continuity check failed"));
        byte[] second = segments.get(1).clone();
        for (int p = 0; p < second.length; p += 188) {
            boolean adaptation = (second[p + 3] & 0x20) != 0;
            if (adaptation && second[p + 4] != 0) {
                second[p + 5] &= 0x7F;
            }
        }
        Path control = write("control-" + ts.getFileName(), List.of(segments.get(0), second));
        assertTrue(run("ffprobe", "-v", "debug", control.toString()).stderr.contains("Continuity check failed"));
    }

    /**
     * A second, independent demuxer: GStreamer's tsdemux (GStreamer and its plugins are installed by deploy/bin/test). It warns about things
     * ffmpeg ignores, e.g. a PCR that wraps below 0 at the start of a stream ("WRAPAROUND detected").
     */
    private void gstreamerDecodesWithoutWarnings(Path ts, String... branches) throws Exception {
        assertTrue(installed("gst-launch-1.0", "--version") && installed("gst-inspect-1.0", "--version"), "GStreamer");
        for (String element : new String[] {"tsdemux", "h264parse", "h265parse", "aacparse", "avdec_h264", "avdec_h265",
                                            "avdec_aac"}) {
            assertTrue(run("gst-inspect-1.0", "--exists", element).exit == 0, "GStreamer element " + element);
        }
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-q", "filesrc", "location=" + ts, "!", "tsdemux",
                "name=d"));
        for (String b : branches) {
            cmd.addAll(List.of(b.split(" ")));
        }
        Run r = run(Map.of("GST_DEBUG", "mpegtspacketizer:2,mpegtsbase:2,tsdemux:2,h264parse:2,h265parse:2,aacparse:2,"
                + "libav:2", "GST_DEBUG_NO_COLOR", "1"), cmd.toArray(new String[0]));
        assertEquals(0, r.exit, r.stderr);
        assertEquals("", r.stderr);
    }

    private Map<String, String> probe(Path ts) throws Exception {
        Run r = run("ffprobe", "-v", "error", "-show_streams", "-count_frames", "-of", "flat", ts.toString());
        assertEquals(0, r.exit, r.stderr);
        assertEquals("", r.stderr);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : r.stdout.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
            }
        }
        return m;
    }

    private Path write(String name, List<byte[]> segments) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        segments.forEach(out::writeBytes);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    private void ffmpeg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        Run r = run(cmd.toArray(new String[0]));
        assertEquals(0, r.exit, r.stderr);
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run run(String... cmd) throws Exception {
        return run(Map.of(), cmd);
    }

    private Run run(Map<String, String> env, String... cmd) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static boolean installed(String... versionCommand) {
        try {
            Process p = new ProcessBuilder(versionCommand).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Samples of a clip in decode order, with the configurations the publisher would have sent. */
    private static final class Clip {
        Codec videoCodec;
        byte[] videoConfig;
        byte[] audioConfig;
        final List<TsSample> samples = new ArrayList<>();

        TsTrackConfig tracks() {
            return new TsTrackConfig(videoCodec, videoConfig, audioConfig == null ? null : Codec.AAC, audioConfig);
        }

        int videoFrames() {
            return (int) samples.stream().filter(TsSample::video).count();
        }

        int audioFrames() {
            return (int) samples.stream().filter(s -> !s.video()).count();
        }

        /** FLV file (FLV spec v10.1 annex E.2-E.3): 9-byte header, then tags each followed by PreviousTagSize. */
        static Clip fromFlv(byte[] flv) throws Exception {
            assertEquals("FLV", new String(flv, 0, 3, StandardCharsets.US_ASCII));
            Clip clip = new Clip();
            int nalLengthSize = 4;
            int p = readInt(flv, 5) + 4;
            while (p + 11 <= flv.length) {
                int type = flv[p] & 0x1F;
                int size = (flv[p + 1] & 0xFF) << 16 | (flv[p + 2] & 0xFF) << 8 | (flv[p + 3] & 0xFF);
                long ms = (flv[p + 4] & 0xFF) << 16 | (flv[p + 5] & 0xFF) << 8 | (flv[p + 6] & 0xFF)
                        | (flv[p + 7] & 0xFFL) << 24;
                int body = p + 11;
                if (type == 9) {
                    FlvVideo v = FlvTags.parseVideo(flv, body, size);
                    if (v.kind() == PacketKind.CONFIG) {
                        clip.videoCodec = v.codec();
                        clip.videoConfig = Arrays.copyOfRange(flv, v.dataOffset(), v.dataOffset() + v.dataLength());
                        nalLengthSize = AvcDecoderConfig.parse(clip.videoConfig, 0, clip.videoConfig.length)
                                .nalLengthSize();
                    } else if (v.kind() == PacketKind.FRAME) {
                        byte[] au = NalUnits.toFourByteLengths(flv, v.dataOffset(), v.dataLength(), nalLengthSize);
                        clip.samples.add(TsSample.video(ms * 90, (ms + v.compositionTimeMs()) * 90, v.keyframe(), au));
                    }
                } else if (type == 8) {
                    FlvAudio a = FlvTags.parseAudio(flv, body, size);
                    byte[] data = Arrays.copyOfRange(flv, a.dataOffset(), a.dataOffset() + a.dataLength());
                    if (a.kind() == PacketKind.CONFIG) {
                        clip.audioConfig = data;
                    } else if (a.kind() == PacketKind.FRAME) {
                        clip.samples.add(TsSample.audio(ms * 90, data));
                    }
                }
                p = body + size + 4;
            }
            return clip;
        }

        /**
         * Raw H.265 byte stream: access units split where H.265 7.4.2.4.4 says one begins (after a slice: an AUD,
         * parameter set or prefix SEI, or a slice with first_slice_segment_in_pic_flag); VPS/SPS/PPS moved into an
         * HEVCDecoderConfigurationRecord; 25 fps timestamps.
         */
        static Clip fromHevcAnnexB(byte[] es) {
            Clip clip = new Clip();
            clip.videoCodec = Codec.H265;
            byte[][] sets = new byte[3][];
            List<List<byte[]>> units = new ArrayList<>();
            List<byte[]> current = new ArrayList<>();
            boolean sawSlice = false;
            for (byte[] nal : nals(es)) {
                int type = (nal[0] >> 1) & 0x3F;
                boolean slice = type <= 31;
                boolean starts = type >= 32 && type <= 35 || type == 39 || type >= 41 && type <= 44
                        || type >= 48 && type <= 55 || slice && (nal[2] & 0x80) != 0;
                if (starts && sawSlice) {
                    units.add(current);
                    current = new ArrayList<>();
                    sawSlice = false;
                }
                sawSlice |= slice;
                if (type >= 32 && type <= 34) {
                    if (sets[type - 32] == null) {
                        sets[type - 32] = nal;
                    }
                } else {
                    current.add(nal);
                }
            }
            units.add(current);
            clip.videoConfig = hvcc(sets);
            for (int i = 0; i < units.size(); i++) {
                boolean irap = units.get(i).stream().anyMatch(n -> {
                    int t = (n[0] >> 1) & 0x3F;
                    return t >= 16 && t <= 23;
                });
                byte[] au = TsSegmentWriterTest.au(units.get(i).toArray(new byte[0][]));
                clip.samples.add(TsSample.video(i * 3600L, i * 3600L, irap, au));
            }
            return clip;
        }

        /** Minimal HEVCDecoderConfigurationRecord: 4-byte NAL lengths, one array each for VPS, SPS and PPS. */
        private static byte[] hvcc(byte[][] sets) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[] {1, 1, 0x60, 0, 0, 0, (byte) 0x90, 0, 0, 0, 0, 0, 60, (byte) 0xF0, 0, (byte) 0xFC,
                                       (byte) 0xFD, (byte) 0xF8, (byte) 0xF8, 0, 0, 0x0F, 3});
            for (int i = 0; i < 3; i++) {
                byte[] n = sets[i];
                out.writeBytes(new byte[] {(byte) (0x80 | 32 + i), 0, 1, (byte) (n.length >> 8), (byte) n.length});
                out.writeBytes(n);
            }
            return out.toByteArray();
        }

        /** NAL units of an Annex B stream (3- or 4-byte start codes). */
        private static List<byte[]> nals(byte[] es) {
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i + 3 <= es.length; i++) {
                if (es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 1) {
                    starts.add(i + 3);
                    i += 2;
                }
            }
            List<byte[]> nals = new ArrayList<>();
            for (int k = 0; k < starts.size(); k++) {
                int end = k + 1 < starts.size() ? starts.get(k + 1) - 3 : es.length;
                while (end > starts.get(k) && es[end - 1] == 0) { // the zero_byte of a following 4-byte start code
                    end--;
                }
                nals.add(Arrays.copyOfRange(es, starts.get(k), end));
            }
            return nals;
        }

        private static int readInt(byte[] b, int p) {
            return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
        }
    }
}
