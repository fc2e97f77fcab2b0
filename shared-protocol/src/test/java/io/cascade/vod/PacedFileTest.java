package io.cascade.vod;

import io.cascade.media.Codec;
import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pacing and read-ahead of files with no socket and no real time: a fake file (25 fps video with a keyframe every
 * second, 50 audio frames a second), a fake clock, and worker tasks run when the test says.
 */
class PacedFileTest {
    /** 25 fps video (timescale 90 kHz, keyframe each second) and AAC at 48 kHz (1024-sample frames), interleaved. */
    static final class FakeFile implements MediaFile {
        final List<Sample> samples = new ArrayList<>();
        final int frameBytes;
        int reads;
        int failAt = -1;
        boolean closed;

        FakeFile(int seconds, int frameBytes) {
            this.frameBytes = frameBytes;
            long videoDts = 0;
            long audioDts = 0;
            long end = seconds * 1000L;
            while (videoDts * 1000 / 90_000 < end || audioDts * 1000 / 48_000 < end) {
                boolean video = videoDts * 1000 / 90_000 <= audioDts * 1000 / 48_000;
                if (video && videoDts * 1000 / 90_000 < end) {
                    samples.add(new Sample(0, videoDts, videoDts, 90_000, videoDts % 90_000 == 0, 0, frameBytes));
                    videoDts += 3_600;
                } else if (audioDts * 1000 / 48_000 < end) {
                    samples.add(new Sample(1, audioDts, audioDts, 48_000, true, 0, 16));
                    audioDts += 1_024;
                } else {
                    samples.add(new Sample(0, videoDts, videoDts, 90_000, videoDts % 90_000 == 0, 0, frameBytes));
                    videoDts += 3_600;
                }
            }
        }

        @Override
        public List<MediaFrame> configs() {
            return List.of(new MediaFrame(0, Codec.H264, 0, 0, 90_000, MediaFrame.FLAG_CONFIG, -1, 0, new byte[4]),
                    new MediaFrame(1, Codec.AAC, 0, 0, 48_000, MediaFrame.FLAG_CONFIG, -1, 0, new byte[2]));
        }

        @Override
        public int sampleCount() {
            return samples.size();
        }

        @Override
        public Sample sample(int i) {
            return samples.get(i);
        }

        @Override
        public MediaFrame read(int i) throws IOException {
            if (i == failAt) {
                throw new IOException("bad sector");
            }
            reads++;
            Sample s = samples.get(i);
            return new MediaFrame(s.track(), s.video() ? Codec.H264 : Codec.AAC, s.dts(), s.pts(), s.timescale(),
                    s.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, -1, 0, new byte[s.size()]);
        }

        @Override
        public long durationMillis() {
            Sample last = samples.get(samples.size() - 1);
            return last.millis() + 40;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A clock the test moves, timers on it, and worker tasks queued until the test runs them (or at once). */
    static final class FakeHost implements PacedFile.Host {
        record Timer(long id, long dueNanos, Runnable task) {
        }

        long now = 1_000_000_000L;
        long nextId;
        boolean workersAtOnce = true;
        final ArrayDeque<Runnable> workerTasks = new ArrayDeque<>();
        final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::dueNanos)
                .thenComparingLong(Timer::id));

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void onWorker(Runnable task) {
            if (workersAtOnce) {
                task.run();
            } else {
                workerTasks.add(task);
            }
        }

        @Override
        public void onOwner(Runnable task) {
            task.run();
        }

        @Override
        public long timer(long delayMillis, Runnable task) {
            long id = nextId++;
            timers.add(new Timer(id, now + delayMillis * 1_000_000, task));
            return id;
        }

        @Override
        public void cancelTimer(long id) {
            timers.removeIf(t -> t.id() == id);
        }

        void runWorkers() {
            while (!workerTasks.isEmpty()) {
                workerTasks.poll().run();
            }
        }

        /** Moves the clock by {@code millis}, firing every timer due on the way at its time. */
        void advance(long millis) {
            long end = now + millis * 1_000_000;
            while (!timers.isEmpty() && timers.peek().dueNanos() <= end) {
                Timer t = timers.poll();
                now = Math.max(now, t.dueNanos());
                t.task().run();
            }
            now = end;
        }
    }

    /** What the output was given, with the clock at each write. */
    static final class Recorder implements PacedFile.Output {
        final FakeHost host;
        final List<MediaFrame> frames = new ArrayList<>();
        final List<Long> writtenAtMillis = new ArrayList<>();
        List<MediaFrame> configs;
        int completed;
        Exception failed;
        boolean full;

        Recorder(FakeHost host) {
            this.host = host;
        }

        @Override
        public void opened(List<MediaFrame> configs, long durationMillis) {
            this.configs = configs;
        }

        @Override
        public boolean write(MediaFrame frame) {
            if (full) {
                return false;
            }
            // kept without its payload: a test of big frames must not hold them all
            frames.add(new MediaFrame(frame.track(), frame.codec(), frame.dts(), frame.pts(), frame.timescale(),
                    frame.flags(), frame.segmentIndex(), frame.sequence(), new byte[0]));
            writtenAtMillis.add(host.now / 1_000_000);
            return true;
        }

        @Override
        public void flush() {
        }

        @Override
        public void completed() {
            completed++;
        }

        @Override
        public void failed(Exception cause) {
            failed = cause;
        }

        long samples() {
            return frames.stream().filter(f -> !f.isConfig()).count();
        }

        MediaFrame lastSample() {
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (!frames.get(i).isConfig()) {
                    return frames.get(i);
                }
            }
            return null;
        }
    }

    private static PacedFile paced(FakeHost host, FakeFile file, Recorder out, long lead, boolean loop) {
        return new PacedFile(host, new PacedFile.Options(lead, 0, loop), () -> file, out);
    }

    /** A play of a fake file of {@code seconds}, started at {@code startMillis} on a fresh clock. */
    private record Play(FakeHost host, FakeFile file, Recorder out, PacedFile paced) {
        static Play of(int seconds, int frameBytes, long lead, boolean loop, long startMillis) {
            FakeHost host = new FakeHost();
            FakeFile file = new FakeFile(seconds, frameBytes);
            Recorder out = new Recorder(host);
            PacedFile p = PacedFileTest.paced(host, file, out, lead, loop);
            p.start(startMillis);
            return new Play(host, file, out, p);
        }
    }

    @Test
    void configsFirstThenTheLeadAtOnceThenRealTime() {
        Play play = Play.of(10, 1000, 2_000, false, 0);
        FakeHost host = play.host();
        FakeFile file = play.file();
        Recorder out = play.out();
        PacedFile p = play.paced();
        assertTrue(out.frames.get(0).isConfig() && out.frames.get(1).isConfig(), "configs first: " + out.frames);
        assertEquals(0, out.frames.get(0).dts(), "at the first sample's time");
        // everything up to the lead goes out at once, nothing after it
        assertEquals(2_000, out.lastSample().dtsMillis(), "the lead went out at once");
        long atStart = out.samples();
        host.advance(1_000);
        assertEquals(3_000, out.lastSample().dtsMillis(), "one second later, one second more");
        // every sample is written no earlier than its time minus the lead
        for (int i = 0; i < out.frames.size(); i++) {
            MediaFrame f = out.frames.get(i);
            long dueMillis = host.now / 1_000_000 - 1_000 + f.dtsMillis() - 2_000;
            assertTrue(f.isConfig() || out.writtenAtMillis.get(i) >= 1_000 + f.dtsMillis() - 2_000 - 0,
                    "frame at " + f.dtsMillis() + " ms written at " + out.writtenAtMillis.get(i) + " (due " + dueMillis + ")");
        }
        assertTrue(atStart > 100 && atStart < 160, "2 s of 25 + 47 frames a second at once: " + atStart);
        host.advance(20_000);
        assertEquals(file.sampleCount(), out.samples(), "every sample, once");
        assertEquals(1, out.completed);
        p.close();
        assertTrue(file.closed, "closed by its owner");
        for (int i = 1; i < out.frames.size(); i++) {
            assertTrue(out.frames.get(i).isConfig() || out.frames.get(i - 1).isConfig()
                    || out.frames.get(i).dtsMillis() >= out.frames.get(i - 1).dtsMillis() - 30, "in file order");
        }
    }

    /** Reads go only as far as the lead and the read-ahead, and never past the bounds, however big the frames. */
    @Test
    void readAheadIsBounded() {
        FakeHost host = new FakeHost();
        FakeFile small = new FakeFile(60, 1_000);
        Recorder out = new Recorder(host);
        PacedFile p = paced(host, small, out, 2_000, false);
        p.start(0);
        for (int s = 0; s < 30; s++) {
            host.advance(1_000);
            long queued = small.reads - out.samples();
            // lead + read-ahead of 25 + 47 frames a second, one batch at most beyond it
            assertTrue(queued <= (PacedFile.READ_AHEAD_MS / 1000 + 1) * 72 + 2, "queued " + queued + " at " + s + " s");
        }
        p.close();

        FakeHost host2 = new FakeHost();
        FakeFile big = new FakeFile(8, 1 << 20); // 25 MiB/s of video
        Recorder out2 = new Recorder(host2);
        out2.full = true; // a player that takes nothing: reads must stop at the byte bound
        PacedFile p2 = paced(host2, big, out2, 5_000, false);
        p2.start(0);
        host2.advance(3_000);
        long videoRead = big.samples.subList(0, big.reads).stream().filter(MediaFile.Sample::video).count();
        assertTrue(videoRead * (1 << 20) <= PacedFile.MAX_QUEUED_BYTES + (1 << 20),
                "bytes read ahead for a player that takes nothing: " + videoRead + " MiB");
        out2.full = false;
        host2.advance(PacedFile.BLOCKED_RETRY_MS);
        assertTrue(out2.samples() > 0, "a blocked output is offered the frames again");
        host2.advance(30_000);
        assertEquals(big.sampleCount(), out2.samples(), "nothing lost while blocked");
        assertEquals(1, out2.completed);
    }

    @Test
    void startAndSeekGoToTheKeyframeAtOrBefore() {
        Play play = Play.of(20, 100, 1_000, false, 10_500);
        FakeHost host = play.host();
        FakeFile file = play.file();
        Recorder out = play.out();
        PacedFile p = play.paced();
        MediaFrame first = out.frames.stream().filter(f -> !f.isConfig()).findFirst().orElseThrow();
        assertEquals(10_000, first.dtsMillis(), "the keyframe at or before 10.5 s");
        assertTrue(first.isKeyframe());
        assertEquals(10_000, out.frames.get(0).dtsMillis(), "configs at the first sample's time");

        host.advance(2_000);
        out.frames.clear();
        p.seek(4_990);
        List<MediaFrame> after = List.copyOf(out.frames);
        assertTrue(after.get(0).isConfig() && after.get(1).isConfig(), "configs again after a seek: " + after);
        MediaFrame firstAfter = after.stream().filter(f -> !f.isConfig()).findFirst().orElseThrow();
        assertEquals(4_000, firstAfter.dtsMillis(), "the keyframe at or before 4.99 s");
        assertEquals(5_000, out.lastSample().dtsMillis(), "the lead from the new position, at once");
        host.advance(60_000);
        assertEquals(1, out.completed);
    }

    /** A seek while a read is under way drops that read's frames: nothing of the old position follows the new one. */
    @Test
    void aSeekDuringARead() {
        Play play = Play.of(20, 100, 1_000, false, 0);
        FakeHost host = play.host();
        FakeFile file = play.file();
        Recorder out = play.out();
        PacedFile p = play.paced();
        host.workersAtOnce = false;
        host.advance(1_500); // a read is now queued on the worker
        assertFalse(host.workerTasks.isEmpty(), "a read was asked for");
        int before = out.frames.size();
        p.seek(15_000);
        host.runWorkers(); // the old read returns, is dropped, the seek's read follows
        host.runWorkers();
        List<MediaFrame> after = out.frames.subList(before, out.frames.size());
        MediaFrame firstAfter = after.stream().filter(f -> !f.isConfig()).findFirst().orElseThrow();
        assertEquals(15_000, firstAfter.dtsMillis(), "after the seek: " + after.subList(0, 3));
        for (MediaFrame f : after) {
            assertTrue(f.dtsMillis() >= 15_000, "a frame of the old position after the seek: " + f);
        }
        p.close();
        host.runWorkers();
        assertTrue(file.closed);
    }

    @Test
    void pauseHoldsTheClock() {
        Play play = Play.of(10, 100, 1_000, false, 0);
        FakeHost host = play.host();
        FakeFile file = play.file();
        Recorder out = play.out();
        PacedFile p = play.paced();
        host.advance(2_000);
        assertEquals(3_000, out.lastSample().dtsMillis());
        p.pause(true);
        long held = out.samples();
        host.advance(5_000);
        assertEquals(held, out.samples(), "nothing while paused");
        p.pause(false);
        host.advance(1_000);
        assertEquals(4_000, out.lastSample().dtsMillis(), "on from where it stopped, the pause not counted");
    }

    /**
     * The position a resuming RTSP PLAY announces: the next sample to be written, whether it waits read or not yet
     * read; unknown (-1) while a seek's read is under way; the last sample at the end of the file.
     */
    @Test
    void positionIsTheNextSampleToBeWritten() {
        Play play = Play.of(10, 100, 1_000, false, 0);
        FakeHost host = play.host();
        host.advance(2_000);
        Recorder out = play.out();
        PacedFile p = play.paced();
        p.pause(true);
        long at = p.positionMillis();
        assertTrue(at > out.lastSample().dtsMillis() && at <= out.lastSample().dtsMillis() + 40,
                "the sample after the last one written (" + out.lastSample().dtsMillis() + "): " + at);
        p.pause(false);
        host.advance(100);
        MediaFrame next = out.frames.stream().filter(f -> !f.isConfig() && f.dtsMillis() >= at).findFirst()
                .orElseThrow();
        assertEquals(at, next.dtsMillis(), "playing goes on from the position told");

        host.workersAtOnce = false;
        p.seek(6_500);
        assertEquals(-1, p.positionMillis(), "unknown until the seek's read returns");
        host.runWorkers();
        assertTrue(p.positionMillis() > 6_000 && p.positionMillis() <= 7_100,
                "after the lead from the keyframe at 6 s went out: " + p.positionMillis());
        host.workersAtOnce = true;
        host.advance(20_000);
        assertEquals(1, out.completed);
        assertEquals(out.lastSample().dtsMillis(), p.positionMillis(), "at the end: the last sample");
    }

    /** With loop the timestamps rise on across the seam, each loop later by the file's span plus one frame. */
    @Test
    void loopsKeepTimestampsRising() {
        Play play = Play.of(4, 100, 0, true, 0);
        FakeHost host = play.host();
        FakeFile file = play.file();
        Recorder out = play.out();
        PacedFile p = play.paced();
        host.advance(13_000);
        assertEquals(0, out.completed, "a loop never completes");
        long[] last = {-1, -1};
        int videoFrames = 0;
        for (MediaFrame f : out.frames) {
            if (f.isConfig()) {
                continue;
            }
            assertTrue(f.dts() > last[f.track()], "track " + f.track() + " went from " + last[f.track()] + " to "
                    + f.dts());
            last[f.track()] = f.dts();
            videoFrames += f.track() == 0 ? 1 : 0;
        }
        assertEquals(2, out.frames.stream().filter(MediaFrame::isConfig).count(), "configs once, not per loop");
        // 13 s at the file's rate: 25 video frames a second (+1 for the frame at 0), the seam one frame long
        assertTrue(Math.abs(videoFrames - 13 * 25) <= 3, "video frames in 13 s of loops: " + videoFrames);
        MediaFrame secondLoop = out.frames.stream().filter(f -> f.track() == 0 && !f.isConfig() && f.dts() >= 360_000)
                .findFirst().orElseThrow();
        // the audio ends last: its last frame at 3989.33 ms plus one (21.33 ms) is 4010.67 ms, rounded up
        assertEquals(4_011 * 90, secondLoop.dts(), "loop 2 starts after the longest track's last frame");
        p.close();
    }

    @Test
    void aReadErrorEndsThePlayOnce() {
        FakeHost host = new FakeHost();
        FakeFile file = new FakeFile(10, 100);
        file.failAt = 300;
        Recorder out = new Recorder(host);
        PacedFile p = paced(host, file, out, 1_000, false);
        p.start(0);
        host.advance(20_000);
        assertTrue(out.failed instanceof IOException, "failed with " + out.failed);
        assertEquals(0, out.completed);
        assertTrue(file.closed);
        long written = out.frames.size();
        host.advance(5_000);
        p.seek(0);
        assertEquals(written, out.frames.size(), "nothing after the failure");

        Recorder none = new Recorder(host);
        new PacedFile(host, new PacedFile.Options(0, 0, false), () -> {
            throw new java.nio.file.NoSuchFileException("vod/x.mp4");
        }, none).start(0);
        assertTrue(none.failed instanceof java.nio.file.NoSuchFileException);
        assertEquals(null, none.configs, "never opened");
    }
}
