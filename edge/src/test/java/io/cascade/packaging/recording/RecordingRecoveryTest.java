package io.cascade.packaging.recording;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.MediaFiles;
import io.cascade.protocol.mp4.ClipFrames;
import io.cascade.protocol.mp4.FragmentedClip;
import io.cascade.protocol.mp4.Mp4FileWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What recovery makes of the files a crash leaves aside, MP4 parts above all (made progressive when they can be). */
class RecordingRecoveryTest {
    private static List<MediaFrame> frames;
    /** The clip as a recording's part: init segment and fragments. */
    private static byte[] part;
    private static int initLength;
    /** Audio and video frames of the clip: the samples of the whole part. */
    private static int mediaFrames;

    @TempDir
    Path dir;

    @BeforeAll
    static void write() throws Exception {
        frames = ClipFrames.load();
        mediaFrames = (int) frames.stream().filter(f -> !f.isConfig() && f.trackType() != TrackType.DATA).count();
        part = FragmentedClip.bytes(frames);
        initLength = new Mp4FileWriter(FragmentedClip.config(frames, TrackType.VIDEO),
                FragmentedClip.config(frames, TrackType.AUDIO)).initSegment().length;
    }

    private static int samples(Path file) throws Exception {
        try (MediaFile f = MediaFiles.open(file)) {
            return f.sampleCount();
        }
    }

    /** The four bytes after the first two boxes: where a progressive file's mdat is, a fragmented one's moof. */
    private static String thirdBox(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        int ftyp = java.nio.ByteBuffer.wrap(b, 0, 4).getInt();
        int moov = java.nio.ByteBuffer.wrap(b, ftyp, 4).getInt();
        return new String(b, ftyp + moov + 4, 4, StandardCharsets.US_ASCII);
    }

    @Test
    void aPartCutInsideAFragmentBecomesAProgressiveFileOfItsWholeFragments() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("shows"));
        byte[] cut = Arrays.copyOf(part, part.length - 1000);
        Path p = Files.write(sub.resolve(".show.mp4.part"), cut);
        int indexed = samples(p);
        assertTrue(indexed > 0 && indexed < mediaFrames, indexed + " samples in the cut part");

        assertEquals(List.of(sub.resolve("show.mp4")), RecordingRecovery.recover(dir));
        assertEquals("mdat", thirdBox(sub.resolve("show.mp4")), "moov before the one mdat");
        assertEquals(indexed, samples(sub.resolve("show.mp4")));
        assertEquals(List.of("show.mp4"), names(sub));
    }

    @Test
    void aCopyLeftHalfWrittenWithItsPartIsMadeAgainAndOneWithoutItsPartIsFinished() throws Exception {
        Files.write(dir.resolve(".a.mp4.part"), part);
        Files.write(dir.resolve(".a.mp4.tmp"), Arrays.copyOf(part, 100)); // a recovery or close cut short
        Files.write(dir.resolve("b.mp4"), new byte[] {1}); // its name taken
        Path done = Files.write(dir.resolve(".b.mp4.tmp"), new byte[] {2}); // a copy whose part was deleted

        List<Path> recovered = RecordingRecovery.recover(dir);
        assertEquals(List.of(dir.resolve("b-recovered.mp4"), dir.resolve("a.mp4")), recovered);
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(dir.resolve("b-recovered.mp4")));
        assertEquals("mdat", thirdBox(dir.resolve("a.mp4")));
        assertEquals(mediaFrames, samples(dir.resolve("a.mp4")), "every sample of the whole part");
        assertFalse(Files.exists(done));
        assertEquals(List.of("a.mp4", "b-recovered.mp4", "b.mp4"), names(dir));
    }

    @Test
    void aPartThatCannotBeReadStaysFragmentedAndOneWithoutAFragmentIsDeleted() throws Exception {
        byte[] damaged = Arrays.copyOf(part, initLength + 64);
        // a whole box after moov that is no fragment the reader knows: a moof of nothing but zeros
        java.nio.ByteBuffer.wrap(damaged, initLength, 8).putInt(64).put("moof".getBytes(StandardCharsets.US_ASCII));
        Files.write(dir.resolve(".damaged.mp4.part"), damaged);
        Files.write(dir.resolve(".empty.mp4.part"), Arrays.copyOf(part, initLength));
        Files.write(dir.resolve(".cut.mp4.part"), Arrays.copyOf(part, initLength - 10));
        Files.write(dir.resolve(".x.ts.part"), new byte[] {0x47});

        List<Path> recovered = RecordingRecovery.recover(dir);
        assertEquals(2, recovered.size(), recovered.toString());
        assertArrayEquals(damaged, Files.readAllBytes(dir.resolve("damaged.mp4")), "renamed as it is");
        assertArrayEquals(new byte[] {0x47}, Files.readAllBytes(dir.resolve("x.ts")));
        assertEquals(List.of("damaged.mp4", "x.ts"), names(dir), "parts without media deleted");
    }

    private static List<String> names(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
