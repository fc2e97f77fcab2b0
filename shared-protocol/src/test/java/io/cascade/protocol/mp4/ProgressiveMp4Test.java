package io.cascade.protocol.mp4;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recording's fragmented MP4 written again as a progressive one from what the reader indexes of it: whole, and cut
 * inside its last fragment as a crash leaves it; checked by box layout, ffprobe's frame counts and an ffmpeg decode.
 */
class ProgressiveMp4Test {
    private static List<MediaFrame> frames;
    /** The clip as the recording writes its part: init segment then fragments, the last ones from finish. */
    private static byte[] whole;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeThePart() throws Exception {
        RealClient.requireFfmpeg();
        whole = FragmentedClip.bytes(frames = ClipFrames.load());
    }

    /** The part rewritten; asserts the layout and that ffmpeg decodes it all; returns "h264,N\naac,M" from ffprobe. */
    private String rewriteAndProbe(byte[] part, int[] perTrack) throws Exception {
        Path out = dir.resolve("progressive.mp4");
        ProgressiveMp4.Result result;
        try (Mp4FileReader reader = Mp4FileReader.open(new io.cascade.testing.ByteArrayChannel(part));
             FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < reader.sampleCount(); i++) {
                perTrack[reader.sample(i).track()]++;
            }
            result = ProgressiveMp4.write(reader, o);
            assertEquals(reader.sampleCount(), result.samples(), "every sample indexed is written");
            assertEquals(0, result.skipped());
        }
        byte[] file = Files.readAllBytes(out);
        assertEquals(file.length, result.bytes());
        List<BoxWalker.Box> top = topLevel(file);
        assertEquals("ftyp,moov,mdat", String.join(",", top.stream().map(BoxWalker.Box::type).toList()),
                "progressive: moov before the one mdat");
        RealClient.run(dir, "ffmpeg", "-nostdin", "-v", "error", "-i", out.toString(), "-f", "null", "-");
        return RealClient.run(dir, "ffprobe", "-v", "error", "-count_frames", "-show_entries",
                "stream=codec_name,nb_read_frames", "-of", "csv=p=0", out.toString()).strip();
    }

    /** Top-level boxes, the mdat's 64-bit size read here (BoxWalker reads 32-bit sizes only). */
    private static List<BoxWalker.Box> topLevel(byte[] file) {
        int ftyp = java.nio.ByteBuffer.wrap(file, 0, 4).getInt();
        int moov = java.nio.ByteBuffer.wrap(file, ftyp, 4).getInt();
        List<BoxWalker.Box> head = BoxWalker.parse(file, 0, ftyp + moov);
        int mdatAt = ftyp + moov;
        assertEquals(1, java.nio.ByteBuffer.wrap(file, mdatAt, 4).getInt(), "a 64-bit mdat");
        assertEquals(file.length - mdatAt, java.nio.ByteBuffer.wrap(file, mdatAt + 8, 8).getLong(),
                "the mdat runs to the end of the file");
        String type = new String(file, mdatAt + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
        List<BoxWalker.Box> all = new java.util.ArrayList<>(head);
        all.add(new BoxWalker.Box(type, mdatAt, file.length - mdatAt, List.of()));
        return all;
    }

    @Test
    void aWholePartBecomesTheProgressiveFileOfAllItsFrames() throws Exception {
        int[] perTrack = new int[2];
        String probed = rewriteAndProbe(whole, perTrack);
        long audio = frames.stream().filter(f -> !f.isConfig() && f.trackType() == TrackType.AUDIO).count();
        assertEquals(ClipFrames.VIDEO_FRAMES, perTrack[0]);
        assertEquals(audio, perTrack[1]);
        assertEquals("h264," + ClipFrames.VIDEO_FRAMES + "\naac," + audio, probed);
    }

    @Test
    void aPartCutInsideItsLastFragmentKeepsTheWholeFragments() throws Exception {
        List<BoxWalker.Box> boxes = BoxWalker.parse(whole);
        BoxWalker.Box lastMdat = boxes.stream().filter(b -> b.type().equals("mdat")).reduce((a, b) -> b).orElseThrow();
        byte[] cut = Arrays.copyOf(whole, lastMdat.offset() + lastMdat.size() / 2);
        assertThrows(IOException.class, () -> Mp4FileWriter.copyPayloads(new io.cascade.testing.ByteArrayChannel(cut),
                java.nio.channels.Channels.newChannel(new ByteArrayOutputStream())), "the fragments cannot be copied");

        int[] perTrack = new int[2];
        String probed = rewriteAndProbe(cut, perTrack);
        assertTrue(perTrack[0] + perTrack[1] < ClipFrames.VIDEO_FRAMES
                + frames.stream().filter(f -> !f.isConfig() && f.trackType() == TrackType.AUDIO).count(),
                "the cut fragment is left out");
        assertTrue(perTrack[0] > 0 && perTrack[1] > 0);
        assertEquals("h264," + perTrack[0] + "\naac," + perTrack[1], probed);
    }

    @Test
    void moreSamplesThanOneFileHoldsAreRefusedBeforeAnythingIsWritten() {
        MediaFile huge = new MediaFile() {
            @Override
            public List<MediaFrame> configs() {
                return List.of();
            }

            @Override
            public int sampleCount() {
                return Mp4FileWriter.MAX_SAMPLES_PER_FILE + 1;
            }

            @Override
            public Sample sample(int i) {
                throw new AssertionError("not read");
            }

            @Override
            public MediaFrame read(int i) {
                throw new AssertionError("not read");
            }

            @Override
            public long durationMillis() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(IllegalArgumentException.class, () -> ProgressiveMp4.write(huge,
                java.nio.channels.Channels.newChannel(out)));
        assertEquals(0, out.size());
    }
}
