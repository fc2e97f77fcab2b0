package io.cascade.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.flv.FlvFileReader;
import io.cascade.protocol.mp4.CmafSample;
import io.cascade.protocol.mp4.CmafTrack;
import io.cascade.protocol.mp4.CmafWriter;
import io.cascade.protocol.mp4.Mp4Exception;
import io.cascade.protocol.mp4.Mp4FileReader;
import io.cascade.protocol.mp4.RealClient;
import io.cascade.testing.RealClients;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MP4 and FLV readers on files ffmpeg makes at test time (nothing is committed): every packet as ffprobe lists it
 * (count, decode and presentation times, keyframes per track), the duration, frames that a real decoder decodes
 * without a word, and files cut the way a crash cuts a recording.
 */
class MediaFilesFfmpegIT {
    private static final String SOURCES = "-f lavfi -i testsrc2=size=320x240:rate=25 "
            + "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 6";
    /** veryfast keeps B-frames, so composition offsets are in the files. */
    private static final String H264_AAC = "-c:v libx264 -preset veryfast -g 25 -c:a aac -b:a 32k";
    private static final String H265_AAC = "-c:v libx265 -preset ultrafast "
            + "-x265-params log-level=error:keyint=25:min-keyint=25 -c:a aac -b:a 32k";
    /** One frame at 25 fps. */
    private static final long FRAME_MILLIS = 40;

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeFiles() throws Exception {
        RealClients.require("ffmpeg");
        RealClients.require("ffprobe");
        make("h264.mp4", H264_AAC);
        make("faststart.mp4", H264_AAC + " -movflags +faststart");
        make("fragmented.mp4", H264_AAC + " -movflags frag_keyframe+empty_moov");
        make("h265.mp4", H265_AAC);
        make("h264.flv", H264_AAC + " -f flv");
    }

    private static void make(String name, String codecs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error"));
        cmd.addAll(List.of(SOURCES.split(" ")));
        cmd.addAll(List.of(codecs.split(" ")));
        cmd.add(dir.resolve(name).toString());
        RealClient.run(dir, cmd.toArray(String[]::new));
    }

    /** A packet as ffprobe lists it, in its stream's time base (the track's timescale for these files). */
    private record Packet(long dts, long pts, boolean keyframe) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"h264.mp4", "faststart.mp4", "fragmented.mp4", "h265.mp4", "h264.flv"})
    void indexMatchesFfprobe(String name) throws Exception {
        Path file = dir.resolve(name);
        try (MediaFile f = MediaFiles.open(file)) {
            assertEquals(name.endsWith(".flv") ? FlvFileReader.class : Mp4FileReader.class, f.getClass());
            List<List<Packet>> probed = probe(file);
            for (int track = 0; track < 2; track++) {
                List<Packet> read = new ArrayList<>();
                for (int i = 0; i < f.sampleCount(); i++) {
                    MediaFile.Sample s = f.sample(i);
                    if (s.track() == track) {
                        read.add(new Packet(s.dts(), s.pts(), s.keyframe()));
                    }
                }
                assertEquals(probed.get(track), read, name + " track " + track);
            }
            assertEquals(2, f.configs().size());
            assertEquals(name.startsWith("h265") ? Codec.H265 : Codec.H264, f.configs().get(0).codec());
            assertEquals(Codec.AAC, f.configs().get(1).codec());
            long probedMillis = Math.round(Double.parseDouble(RealClient.run(dir, "ffprobe", "-v", "error",
                    "-show_entries", "format=duration", "-of", "csv=p=0", file.toString()).trim()) * 1000);
            assertTrue(Math.abs(probedMillis - f.durationMillis()) <= FRAME_MILLIS,
                    name + ": duration " + f.durationMillis() + " ms, ffprobe says " + probedMillis);
            assertDecodes(f, name);
        }
    }

    /** Per track (0 video, 1 audio) the packets of ffprobe in file order; edit lists ignored, as the reader does. */
    private static List<List<Packet>> probe(Path file) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        if (file.toString().endsWith(".mp4")) {
            cmd.addAll(List.of("-ignore_editlist", "1"));
        }
        cmd.addAll(List.of("-show_entries", "packet=stream_index,dts,pts,flags", "-of", "csv=p=0", file.toString()));
        String csv = RealClient.run(dir, cmd.toArray(String[]::new));
        String streams = RealClient.run(dir, "ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                "-of", "csv=p=0", file.toString());
        List<String> types = streams.lines().map(String::trim).toList();
        List<List<Packet>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (String line : csv.lines().toList()) {
            String[] f = line.split(",");
            int track = types.get(Integer.parseInt(f[0])).equals("video") ? 0 : 1;
            out.get(track).add(new Packet(Long.parseLong(f[2]), Long.parseLong(f[1]), f[3].startsWith("K")));
        }
        return out;
    }

    /**
     * Every frame read, written per track into a fragmented MP4 with the CMAF writer, decoded by ffmpeg with not a
     * word on stderr: the payloads and configs are what a decoder takes.
     */
    private static void assertDecodes(MediaFile f, String name) throws Exception {
        for (MediaFrame config : f.configs()) {
            int track = config.track();
            CmafTrack cmaf = new CmafTrack(1, config.codec(), config.timescale(), config.payload());
            List<MediaFrame> frames = new ArrayList<>();
            for (int i = 0; i < f.sampleCount(); i++) {
                if (f.sample(i).track() == track) {
                    frames.add(f.read(i));
                }
            }
            List<CmafSample> samples = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                MediaFrame m = frames.get(i);
                long next = i + 1 < frames.size() ? frames.get(i + 1).dts() : m.dts() + (i > 0 ? m.dts()
                        - frames.get(i - 1).dts() : 1);
                samples.add(new CmafSample(m.dts(), (int) (next - m.dts()), (int) (m.pts() - m.dts()),
                        m.isKeyframe(), m.payload()));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(CmafWriter.initSegment(cmaf));
            out.write(CmafWriter.fragment(cmaf, 1, samples));
            Path remuxed = dir.resolve(name + "-track" + track + ".mp4");
            Files.write(remuxed, out.toByteArray());
            RealClient.run(dir, "ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", remuxed.toString(),
                    "-f", "null", "-");
        }
    }

    /** An FLV cut inside a tag opens with every tag before the cut, read whole. */
    @Test
    void flvCutInsideATagKeepsTheWholeTags() throws Exception {
        assertCutKeepsWholeSamples("h264.flv", 0.61);
    }

    /** Moov at the front, cut inside mdat: each track keeps the samples the file still holds. */
    @Test
    void mp4CutInsideMdatKeepsTheSamplesItHolds() throws Exception {
        assertCutKeepsWholeSamples("faststart.mp4", 0.53);
    }

    private static void assertCutKeepsWholeSamples(String name, double fraction) throws Exception {
        Path file = dir.resolve(name);
        long cut = (long) (Files.size(file) * fraction);
        Path cutFile = truncated(file, cut);
        try (MediaFile full = MediaFiles.open(file); MediaFile part = MediaFiles.open(cutFile)) {
            List<MediaFile.Sample> expected = new ArrayList<>();
            for (int i = 0; i < full.sampleCount(); i++) {
                MediaFile.Sample s = full.sample(i);
                if (s.offset() + s.size() <= cut) {
                    expected.add(s);
                }
            }
            assertTrue(expected.size() > 10 && expected.size() < full.sampleCount());
            assertEquals(expected.size(), part.sampleCount());
            for (int i = 0; i < part.sampleCount(); i++) {
                assertEquals(expected.get(i), part.sample(i));
                part.read(i);
            }
        }
    }

    /** Moov at the end, cut anywhere before it: nothing tells where the samples are. */
    @Test
    void mp4CutBeforeItsMoovIsRefused() throws Exception {
        Path cutFile = truncated(dir.resolve("h264.mp4"), Files.size(dir.resolve("h264.mp4")) / 2);
        Mp4Exception e = assertThrows(Mp4Exception.class, () -> MediaFiles.open(cutFile).close());
        assertTrue(e.getMessage().contains("no moov"), e.getMessage());
    }

    /** A fragmented recording cut inside a fragment opens with the fragments before it. */
    @Test
    void fragmentedMp4CutInsideAFragmentKeepsTheWholeFragments() throws Exception {
        Path file = dir.resolve("fragmented.mp4");
        byte[] bytes = Files.readAllBytes(file);
        List<Long> moofs = topLevelBoxes(bytes, "moof");
        assertTrue(moofs.size() >= 4, "fragments: " + moofs);
        long third = moofs.get(2);
        long cut = (third + moofs.get(3)) / 2;
        try (MediaFile full = MediaFiles.open(file); MediaFile part = MediaFiles.open(truncated(file, cut))) {
            List<MediaFile.Sample> expected = new ArrayList<>();
            for (int i = 0; i < full.sampleCount(); i++) {
                if (full.sample(i).offset() < third) {
                    expected.add(full.sample(i));
                }
            }
            assertEquals(expected.size(), part.sampleCount());
            for (int i = 0; i < part.sampleCount(); i++) {
                assertEquals(expected.get(i), part.sample(i));
                part.read(i);
            }
        }
    }

    /** seekIndex lands on the last video keyframe at or before the time, for every 100 ms of the file. */
    @ParameterizedTest
    @ValueSource(strings = {"h264.mp4", "fragmented.mp4", "h264.flv"})
    void seekLandsOnTheLastKeyframeAtOrBefore(String name) throws Exception {
        try (MediaFile f = MediaFiles.open(dir.resolve(name))) {
            int keyframes = 0;
            for (int i = 0; i < f.sampleCount(); i++) {
                keyframes += f.sample(i).video() && f.sample(i).keyframe() ? 1 : 0;
            }
            assertEquals(6, keyframes, "a keyframe a second");
            for (long ms = -100; ms <= f.durationMillis() + 500; ms += 100) {
                int at = f.seekIndex(ms);
                MediaFile.Sample s = f.sample(at);
                assertTrue(s.video() && s.keyframe(), name + " at " + ms);
                assertTrue(s.millis() <= Math.max(ms, 0), name + " at " + ms);
                for (int i = at + 1; i < f.sampleCount(); i++) {
                    MediaFile.Sample later = f.sample(i);
                    assertTrue(!(later.video() && later.keyframe() && later.millis() <= ms), name + " at " + ms);
                }
            }
        }
    }

    private static Path truncated(Path file, long length) throws Exception {
        Path out = dir.resolve("cut-" + length + "-" + file.getFileName());
        try (FileChannel in = FileChannel.open(file);
             FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            in.transferTo(0, length, o);
        }
        return out;
    }

    /** Offsets of the top-level boxes of a type (32-bit sizes, as ffmpeg writes them). */
    private static List<Long> topLevelBoxes(byte[] b, String type) {
        List<Long> out = new ArrayList<>();
        int p = 0;
        while (p + 8 <= b.length) {
            long size = (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
            if (new String(b, p + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals(type)) {
                out.add((long) p);
            }
            p += (int) size;
        }
        return out;
    }
}
