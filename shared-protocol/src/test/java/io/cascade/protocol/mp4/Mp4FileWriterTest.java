package io.cascade.protocol.mp4;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorded MP4 file in both forms: the committed clip's frames (B-frames, AAC) written fragmented, then made
 * progressive from the fragmented file; the box layout checked by {@link BoxWalker} and both files read by ffprobe and
 * decoded by ffmpeg, every frame, with nothing on stderr.
 */
class Mp4FileWriterTest {
    private static List<MediaFrame> frames;
    private static int audioFrames;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        RealClient.requireFfmpeg();
        frames = ClipFrames.load();
        audioFrames = (int) frames.stream().filter(f -> !f.isConfig() && f.trackType() == TrackType.AUDIO).count();
    }

    private static MediaFrame config(TrackType type) {
        return FragmentedClip.config(frames, type);
    }

    /** The clip through the writer, each frame at its own time: the fragmented bytes, and the writer after finish. */
    private static Mp4FileWriter write(ByteArrayOutputStream fragmented, MediaFrame video, MediaFrame audio) {
        return FragmentedClip.write(frames, video, audio, fragmented);
    }

    private Path progressive(Mp4FileWriter w, Path fragmented) throws Exception {
        Path out = dir.resolve("progressive.mp4");
        try (FileChannel in = FileChannel.open(fragmented); FileChannel o = FileChannel.open(out,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            o.write(java.nio.ByteBuffer.wrap(w.progressiveHeader()));
            assertEquals(w.payloadBytes(), Mp4FileWriter.copyPayloads(in, o), "every sample byte copied");
        }
        return out;
    }

    @Test
    void theFragmentedFileAndItsProgressiveFormPlayEveryFrame() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Mp4FileWriter w = write(bytes, config(TrackType.VIDEO), config(TrackType.AUDIO));
        assertEquals(ClipFrames.VIDEO_FRAMES + audioFrames, w.samples());
        Path fragmented = Files.write(dir.resolve("fragmented.mp4"), bytes.toByteArray());
        Path progressive = progressive(w, fragmented);

        byte[] file = Files.readAllBytes(progressive);
        byte[] header = w.progressiveHeader();
        int mdatAt = header.length - Mp4FileWriter.MDAT_HEADER_LENGTH;
        List<BoxWalker.Box> top = BoxWalker.parse(file, 0, mdatAt); // BoxWalker reads 32-bit sizes only
        assertEquals("ftyp,moov", String.join(",", top.stream().map(BoxWalker.Box::type).toList()));
        assertEquals("mdat", new String(file, mdatAt + 4, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(file.length - mdatAt, java.nio.ByteBuffer.wrap(file, mdatAt + 8, 8).getLong(),
                "the mdat's 64-bit size runs to the end of the file");
        BoxWalker.Box videoTrak = top.get(1).children().stream().filter(b -> b.type().equals("trak")).findFirst()
                .orElseThrow();
        videoTrak.path("mdia/minf/stbl/ctts"); // the clip has B-frames: composition offsets are kept
        videoTrak.path("mdia/minf/stbl/stss"); // and keyframes are listed

        for (Path p : List.of(fragmented, progressive)) {
            String probed = RealClient.run(dir, "ffprobe", "-v", "error", "-count_frames", "-show_entries",
                    "stream=codec_name,nb_read_frames", "-of", "csv=p=0", p.toString());
            assertEquals("h264," + ClipFrames.VIDEO_FRAMES + "\naac," + audioFrames, probed.strip(), p.toString());
            RealClient.run(dir, "ffmpeg", "-nostdin", "-v", "error", "-i", p.toString(), "-f", "null", "-");
        }
        String duration = RealClient.run(dir, "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                "csv=p=0", progressive.toString()).strip();
        assertEquals(w.durationMillis() / 1000.0, Double.parseDouble(duration), 0.05, "duration " + duration);
    }

    @Test
    void writingPayloadsFromTheSamplesGivesWhatCopyingTheFragmentsGives() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Mp4FileWriter w = write(bytes, config(TrackType.VIDEO), config(TrackType.AUDIO));
        List<MediaFrame> video = frames.stream().filter(f -> !f.isConfig() && f.trackType() == TrackType.VIDEO)
                .toList();
        List<MediaFrame> audio = frames.stream().filter(f -> !f.isConfig() && f.trackType() == TrackType.AUDIO)
                .toList();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        long n = w.writePayloads((track, i) -> (track == Mp4FileWriter.VIDEO_TRACK_ID ? video : audio).get(i)
                .payload(), java.nio.channels.Channels.newChannel(written));
        ByteArrayOutputStream copied = new ByteArrayOutputStream();
        Mp4FileWriter.copyPayloads(new io.cascade.testing.ByteArrayChannel(bytes.toByteArray()),
                java.nio.channels.Channels.newChannel(copied));
        assertEquals(w.payloadBytes(), n);
        assertTrue(java.util.Arrays.equals(copied.toByteArray(), written.toByteArray()), "same bytes, same order");

        MediaFrame other = audio.get(1);
        assertThrows(java.io.IOException.class, () -> w.writePayloads((track, i) -> track == Mp4FileWriter.AUDIO_TRACK_ID
                && i == 0 ? other.payload() : (track == Mp4FileWriter.VIDEO_TRACK_ID ? video : audio).get(i).payload(),
                java.nio.channels.Channels.newChannel(new ByteArrayOutputStream())),
                "a payload of another length than the sample taken");
        Mp4FileWriter open = new Mp4FileWriter(config(TrackType.VIDEO), null);
        assertThrows(IllegalStateException.class, () -> open.writePayloads((track, i) -> new byte[0],
                java.nio.channels.Channels.newChannel(new ByteArrayOutputStream())), "not finished");
    }

    @Test
    void anAudioOnlyFileIsCutIntoOneSecondFragments() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Mp4FileWriter w = write(bytes, null, config(TrackType.AUDIO));
        assertEquals(audioFrames, w.samples());
        long moofs = BoxWalker.parse(bytes.toByteArray()).stream().filter(b -> b.type().equals("moof")).count();
        long seconds = (w.durationMillis() + 999) / 1000;
        assertTrue(moofs >= seconds - 1 && moofs <= seconds + 1, moofs + " fragments for " + w.durationMillis() + " ms");
        Path progressive = progressive(w, Files.write(dir.resolve("audio.mp4"), bytes.toByteArray()));
        String probed = RealClient.run(dir, "ffprobe", "-v", "error", "-count_frames", "-show_entries",
                "stream=codec_name,nb_read_frames", "-of", "csv=p=0", progressive.toString());
        assertEquals("aac," + audioFrames, probed.strip());
    }

    @Test
    void aFileNeedsATrackAndEndsOnce() {
        assertThrows(IllegalArgumentException.class, () -> new Mp4FileWriter(null, null));
        Mp4FileWriter w = new Mp4FileWriter(config(TrackType.VIDEO), null);
        assertNull(w.add(config(TrackType.AUDIO), 0), "a config frame is no sample");
        assertThrows(IllegalStateException.class, w::progressiveHeader, "not finished");
        assertNull(w.finish(), "nothing to write");
        assertThrows(IllegalStateException.class, w::progressiveHeader, "no sample");
        assertThrows(IllegalStateException.class, () -> w.add(frames.get(frames.size() - 1), 0));
    }
}
