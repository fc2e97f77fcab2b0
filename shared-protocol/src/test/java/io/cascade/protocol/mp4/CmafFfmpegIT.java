package io.cascade.protocol.mp4;

import static io.cascade.protocol.mp4.CmafFixture.trackFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-client check: the {@link CmafFixture} clip packaged into init + 2 media segments per track and read back by ffprobe /
 * ffmpeg, both as plain concatenated files and as HLS (fMP4 segments with EXT-X-MAP); and a libx265 clip made at test
 * time. Skipped when ffmpeg is not installed; deploy/bin/test installs it, so CI always runs it.
 */
@Tag("interop")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CmafFfmpegIT {
    private static CmafFixture fixture;

    @TempDir
    Path dir;

    @BeforeAll
    static void packageTheFixture() throws Exception {
        assertTrue(RealClient.onPath("ffmpeg") && RealClient.onPath("ffprobe"),
                "ffmpeg/ffprobe not installed: deploy/bin/test installs every real client");
        fixture = CmafFixture.load();
    }

    @Test
    void ffprobeReadsConcatenatedInitAndSegments() throws Exception {
        Path videoFile = write("video.mp4", trackFile(fixture.video(), fixture.videoSegments()));
        Map<String, String> v = probe(videoFile).get(0);
        assertEquals("h264", v.get("codec_name"));
        assertEquals("High", v.get("profile"));
        assertEquals("320", v.get("width"));
        assertEquals("240", v.get("height"));
        assertEquals(String.valueOf(CmafFixture.VIDEO_FRAMES), v.get("nb_read_frames"));
        assertDecodesCleanly(videoFile);

        Path audioFile = write("audio.mp4", trackFile(fixture.audio(), fixture.audioSegments()));
        Map<String, String> a = probe(audioFile).get(0);
        assertEquals("aac", a.get("codec_name"));
        assertEquals("48000", a.get("sample_rate"));
        assertEquals("1", a.get("channels"));
        assertEquals(String.valueOf(fixture.audioFrameCount()), a.get("nb_read_frames"));
        assertDecodesCleanly(audioFile);
    }

    @Test
    void ffmpegPlaysTheSegmentsAsHls() throws Exception {
        mediaPlaylist("video", fixture.video(), fixture.videoSegments());
        mediaPlaylist("audio", fixture.audio(), fixture.audioSegments());
        String master = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"main\",DEFAULT=YES,AUTOSELECT=YES,URI=\"audio.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS=\"" + CmafWriter.codecs(fixture.video()) + "," + CmafWriter.codecs(fixture.audio())
                + "\",RESOLUTION=" + CmafWriter.width(fixture.video()) + "x" + CmafWriter.height(fixture.video()) + ",AUDIO=\"aac\"\n"
                + "video.m3u8\n";
        Path playlist = write("master.m3u8", master.getBytes(StandardCharsets.US_ASCII));
        Map<String, Map<String, String>> byType = new LinkedHashMap<>();
        for (Map<String, String> s : probe(playlist)) {
            byType.put(s.get("codec_type"), s);
        }
        assertEquals("h264", byType.get("video").get("codec_name"));
        assertEquals("320", byType.get("video").get("width"));
        assertEquals(String.valueOf(CmafFixture.VIDEO_FRAMES), byType.get("video").get("nb_read_frames"));
        assertEquals("aac", byType.get("audio").get("codec_name"));
        assertEquals(String.valueOf(fixture.audioFrameCount()), byType.get("audio").get("nb_read_frames"));
        assertDecodesCleanly(playlist);
    }

    /**
     * H.265 through a real decoder: libx265 encodes an odd size (322x182, coded as 328x184 with a conformance window) as
     * Annex B; the test builds the hvcC a publisher would send (with 2-byte NAL lengths, which the writer must rewrite).
     */
    @Test
    void ffprobeReadsHevcWithAConformanceWindow() throws Exception {
        Path annexB = dir.resolve("clip.hevc");
        run("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=322x182:rate=25", "-frames:v", "20",
                "-c:v", "libx265", "-preset", "ultrafast",
                "-x265-params", "log-level=error:bframes=0:keyint=10:min-keyint=10:scenecut=0:no-open-gop=1",
                "-f", "hevc", annexB.toString());
        List<List<byte[]>> accessUnits = HevcAnnexB.accessUnits(Files.readAllBytes(annexB));
        byte[] hvcCWithTwoByteLengths = HevcAnnexB.configRecord(accessUnits.get(0), 2);
        CmafTrack hevc = new CmafTrack(1, Codec.H265, CmafFixture.VIDEO_TIMESCALE, hvcCWithTwoByteLengths);
        assertEquals(322, CmafWriter.width(hevc));
        assertEquals(182, CmafWriter.height(hevc));

        List<List<CmafSample>> segments = new ArrayList<>();
        for (int i = 0; i < accessUnits.size(); i++) {
            boolean sync = HevcAnnexB.isIrap(accessUnits.get(i));
            if (sync) {
                segments.add(new ArrayList<>());
            }
            long decodeTime = (long) i * CmafFixture.FRAME_DURATION; // no B-frames: decode order is presentation order
            segments.get(segments.size() - 1).add(new CmafSample(decodeTime, CmafFixture.FRAME_DURATION, 0, sync,
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

    private String run(String... command) throws Exception {
        return RealClient.run(dir, command);
    }
}
