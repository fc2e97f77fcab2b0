package io.cascade.vod;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Plays a {@link MediaFile} against the wall clock: its configuration frames first, then its samples in file order,
 * each handed to the {@link Output} when its time comes, {@code lead} ahead of real time (a player's buffer, so it
 * starts at once; 0 for a file that stands in for a live source). Every file access (open, reads, seek, close) is a
 * blocking task on a worker, one at a time per file; frames are read ahead only as far as they will be due within
 * the lead plus {@link #READ_AHEAD_MS}, and never more than {@link #MAX_QUEUED_FRAMES} and {@link #MAX_QUEUED_BYTES},
 * so memory per play stays bounded however long or fast the file is.
 *
 * <p>With {@code loop}, the file starts again after its end with every timestamp shifted by the file's span plus
 * one frame, so the timeline keeps rising as a live source's does. Without it, the end of the file is
 * {@link Output#completed}. Seek and pause are for players of files: a seek drops what was read ahead and starts
 * at the keyframe at or before the time asked for, with the configuration frames again; a pause holds the clock.
 *
 * <p>Everything but the worker tasks runs on one thread (the owner's event loop), through {@link Host}: tests give
 * it a fake clock and executors that run at once.
 */
public final class PacedFile {
    /** Frames read and not yet written, at most: a second of 240 fps video with its audio fits. */
    public static final int MAX_QUEUED_FRAMES = 512;
    /** Bytes read and not yet written, at most (one frame larger than this still passes, alone). */
    public static final int MAX_QUEUED_BYTES = 4 << 20;
    /** How much media beyond the lead one read covers: reads come once a second rather than once a frame. */
    public static final long READ_AHEAD_MS = 1_000;
    /** How soon a write the output could not take is tried again. */
    public static final long BLOCKED_RETRY_MS = 20;

    /** Where this runs: the clock, the worker for blocking file access, the owner's thread, its timers. */
    public interface Host {
        long nanoTime();

        /** Runs a blocking task off the owner's thread; it hands its result back with {@link #onOwner}. */
        void onWorker(Runnable task);

        /** Runs the task on the owner's thread. */
        void onOwner(Runnable task);

        long timer(long delayMillis, Runnable task);

        void cancelTimer(long id);
    }

    /** What the frames go to; called on the owner's thread. */
    public interface Output {
        /** The file opened: its configuration frames and duration, before any frame. */
        void opened(List<MediaFrame> configs, long durationMillis);

        /** One frame; false when it cannot be taken now (a full socket): it is offered again shortly. */
        boolean write(MediaFrame frame);

        /** After a group of writes. */
        void flush();

        /** Every frame up to the file's end was written (never with loop). */
        void completed();

        /** The file could not be opened or read: nothing more comes. */
        void failed(Exception cause);
    }

    /**
     * @param leadMillis        how far ahead of real time frames go out
     * @param granularityMillis frames due within this go out together, one timer for them all
     * @param loop              start again after the end, timestamps rising
     */
    public record Options(long leadMillis, long granularityMillis, boolean loop) {
        public Options {
            if (leadMillis < 0 || granularityMillis < 0) {
                throw new IllegalArgumentException("lead and granularity must not be negative");
            }
        }
    }

    /** What opening (or a seek) hands back: the configurations, the duration, the first read. */
    private record Opened(List<MediaFrame> configs, long durationMillis, Batch first) {
    }

    /**
     * What one read hands back: the frames, where the next read goes on (and that sample's media time, or
     * Long.MIN_VALUE when it is not known: the end, or the seam of a loop), and whether the file ended.
     */
    private record Batch(int generation, List<MediaFrame> frames, long bytes, int next, long nextMillis, int loops,
                         boolean end) {
    }

    private final Host host;
    private final Output output;
    private final Options options;
    private final Callable<MediaFile> opener;
    private final ArrayDeque<MediaFrame> ready = new ArrayDeque<>();
    private long readyBytes;
    /** Touched by worker tasks only, one at a time. */
    private MediaFile file;
    /** Per track, the shift of one loop in the track's timescale; made by a worker task when first needed. */
    private Map<Integer, Long> loopShift;
    private long loopShiftMillis;

    // the owner's thread
    private boolean opened;
    private boolean working;
    private boolean closed;
    private boolean fileClosed;
    private boolean done;
    private boolean paused;
    private long pausedAtNanos;
    /** Where the next read starts (index, loops made) and whether reading reached the end. */
    private int next;
    private long nextMillis = Long.MIN_VALUE;
    private int loops;
    private boolean endRead;
    /** Bumped by a seek: a read that was under way belongs to the old position and is dropped. */
    private int generation;
    /** A seek that waits for the read under way; -1 for none. */
    private long pendingSeekMillis = -1;
    /** Wall clock and media time of the first frame after a start or seek: the frames' schedule. */
    private boolean anchored;
    private long anchorNanos;
    private long anchorMillis;
    private long timerId = -1;
    /** Whether the position is known: false until the first read returns, and from a seek until its read returns. */
    private boolean positioned;
    private long lastWrittenMillis = Long.MIN_VALUE;
    private long framesWritten;
    private long bytesWritten;

    /** @param opener opens the file; called on a worker (it may throw: {@link Output#failed}) */
    public PacedFile(Host host, Options options, Callable<MediaFile> opener, Output output) {
        this.host = host;
        this.options = options;
        this.opener = opener;
        this.output = output;
    }

    /** Opens the file and plays from {@code startMillis} (0 or less: the start). */
    public void start(long startMillis) {
        work(() -> {
            file = opener.call();
            int from = startMillis > 0 ? file.seekIndex(startMillis) : 0;
            return new Opened(file.configs(), file.durationMillis(),
                    read(0, from, 0, Long.MIN_VALUE, MAX_QUEUED_FRAMES, MAX_QUEUED_BYTES));
        }, o -> {
            opened = true;
            output.opened(o.configs(), o.durationMillis());
            queueConfigs(o.configs(), o.first());
            took(o.first());
        });
    }

    /** Starts again from the keyframe at or before {@code millis}, configs first; a pause stays a pause. */
    public void seek(long millis) {
        if (closed || !opened) {
            return;
        }
        generation++;
        ready.clear();
        readyBytes = 0;
        anchored = false;
        done = false;
        positioned = false;
        cancelTimer();
        if (working) {
            pendingSeekMillis = Math.max(0, millis); // the read under way is dropped when it returns
            return;
        }
        seekNow(Math.max(0, millis));
    }

    private void seekNow(long millis) {
        int gen = generation;
        work(() -> new Opened(file.configs(), 0, read(gen, file.seekIndex(millis), 0, Long.MIN_VALUE,
                MAX_QUEUED_FRAMES, MAX_QUEUED_BYTES)), o -> {
            queueConfigs(o.configs(), o.first());
            took(o.first());
        });
    }

    /** Holds the frames and the clock (true) or lets them go on from where they stopped (false). */
    public void pause(boolean pause) {
        if (closed || pause == paused) {
            return;
        }
        paused = pause;
        if (pause) {
            pausedAtNanos = host.nanoTime();
            cancelTimer();
        } else {
            if (anchored) {
                anchorNanos += host.nanoTime() - pausedAtNanos;
            }
            pump();
        }
    }

    /** Stops: nothing more is written, and the file is closed once no task uses it. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelTimer();
        ready.clear();
        readyBytes = 0;
        if (!working) {
            closeFile();
        }
    }

    /**
     * The media time playing goes on from (what a resuming RTSP PLAY announces): the first frame waiting that is no
     * configuration, else the next sample reading goes on from, else the last frame written (at the end of the file);
     * -1 when not known yet: before the first read returns, and from a seek until its read returns (the caller asked
     * for that position and knows it).
     */
    public long positionMillis() {
        if (!positioned) {
            return -1;
        }
        for (MediaFrame f : ready) {
            if (!f.isConfig()) {
                return f.dtsMillis();
            }
        }
        if (nextMillis != Long.MIN_VALUE && !endRead) {
            return nextMillis;
        }
        return lastWrittenMillis == Long.MIN_VALUE ? -1 : lastWrittenMillis;
    }

    public long framesWritten() {
        return framesWritten;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    // ---- the owner's thread ----

    /** The configuration frames go first, at the time of the first sample that follows, on its track's timescale. */
    private void queueConfigs(List<MediaFrame> configs, Batch first) {
        long firstMillis = first.frames().isEmpty() ? 0 : first.frames().get(0).dtsMillis();
        List<MediaFrame> moved = new ArrayList<>();
        for (MediaFrame c : configs) {
            long at = Math.floorDiv(firstMillis * c.timescale(), 1000);
            moved.add(c.shifted(at - c.dts()));
        }
        for (int i = moved.size() - 1; i >= 0; i--) {
            ready.addFirst(moved.get(i));
            readyBytes += moved.get(i).payload().length;
        }
    }

    private void took(Batch b) {
        if (b.generation() != generation) {
            return; // read for a position a seek left
        }
        ready.addAll(b.frames());
        readyBytes += b.bytes();
        next = b.next();
        nextMillis = b.nextMillis();
        positioned = true;
        loops = b.loops();
        endRead = b.end();
        pump();
    }

    /** Writes every frame that is due, then reads more when there is room, and sets the timer for the next one. */
    private void pump() {
        if (closed || done || paused || !opened) {
            return;
        }
        cancelTimer();
        long now = host.nanoTime();
        long dueNanos = 0;
        boolean blocked = false;
        boolean wrote = false;
        while (!ready.isEmpty()) {
            MediaFrame f = ready.peekFirst();
            if (!anchored && !f.isConfig()) {
                anchored = true;
                anchorNanos = now;
                anchorMillis = f.dtsMillis();
            }
            if (anchored) {
                dueNanos = anchorNanos + (f.dtsMillis() - anchorMillis - options.leadMillis()) * 1_000_000;
                if (dueNanos > now + options.granularityMillis() * 1_000_000) {
                    break;
                }
            }
            if (!output.write(f)) {
                blocked = true;
                break;
            }
            ready.pollFirst();
            readyBytes -= f.payload().length;
            framesWritten++;
            bytesWritten += f.payload().length;
            if (!f.isConfig()) {
                lastWrittenMillis = f.dtsMillis();
            }
            wrote = true;
        }
        if (wrote) {
            output.flush();
        }
        if (ready.isEmpty() && endRead && !working) {
            done = true;
            output.completed();
            return;
        }
        readMore(now);
        if (blocked) {
            timerId = host.timer(BLOCKED_RETRY_MS, this::onTimer);
        } else if (!ready.isEmpty() && anchored) {
            long waitMillis = Math.max(1, (dueNanos - now + 999_999) / 1_000_000);
            timerId = host.timer(waitMillis, this::onTimer);
        }
        // with nothing ready, the read under way calls pump when it returns
    }

    private void onTimer() {
        timerId = -1;
        pump();
    }

    /** Asks the worker for the frames due within the lead and the read-ahead, as far as the bounds leave room. */
    private void readMore(long now) {
        if (working || endRead || closed) {
            return;
        }
        int roomFrames = MAX_QUEUED_FRAMES - ready.size();
        long roomBytes = MAX_QUEUED_BYTES - readyBytes;
        if (roomFrames <= 0 || roomBytes <= 0) {
            return;
        }
        long horizon = anchored
                ? anchorMillis + (now - anchorNanos) / 1_000_000 + options.leadMillis() + READ_AHEAD_MS
                : Long.MIN_VALUE;
        MediaFrame last = ready.peekLast();
        if (anchored && last != null && last.dtsMillis() > horizon - READ_AHEAD_MS / 2) {
            return; // half a read-ahead is still queued: reading now would read a few frames at a time
        }
        int gen = generation;
        int from = next;
        int fromLoops = loops;
        work(() -> read(gen, from, fromLoops, horizon, roomFrames, roomBytes), this::took);
    }

    /**
     * Runs {@code task} on the worker, the only task of this file under way, and hands its result to {@code then} on
     * the owner's thread, unless meanwhile the play was closed (the file closes now), the task failed ({@link #fail}),
     * or a seek came (the result belongs to the old position: the seek's read runs instead).
     */
    private <T> void work(Callable<T> task, Consumer<T> then) {
        working = true;
        host.onWorker(() -> {
            T result = null;
            Exception failure = null;
            try {
                result = task.call();
            } catch (Exception e) {
                failure = e;
            }
            T done = result;
            Exception failed = failure;
            host.onOwner(() -> {
                working = false;
                if (closed) {
                    closeFile();
                } else if (failed != null) {
                    fail(failed);
                } else if (pendingSeekMillis >= 0) {
                    long again = pendingSeekMillis;
                    pendingSeekMillis = -1;
                    seekNow(again);
                } else {
                    then.accept(done);
                }
            });
        });
    }

    /** The file cannot be read on: the play ends here, once (a closed play is never told). */
    private void fail(Exception e) {
        closed = true;
        cancelTimer();
        ready.clear();
        readyBytes = 0;
        closeFile();
        output.failed(e);
    }

    private void cancelTimer() {
        if (timerId >= 0) {
            host.cancelTimer(timerId);
            timerId = -1;
        }
    }

    private void closeFile() {
        if (fileClosed) {
            return;
        }
        fileClosed = true;
        host.onWorker(() -> {
            MediaFile f = file;
            file = null;
            if (f != null) {
                try {
                    f.close();
                } catch (Exception ignored) {
                    // closing a file that was only read loses nothing
                }
            }
        });
    }

    // ---- worker tasks ----

    /**
     * Reads from sample {@code from} (after {@code fromLoops} loops) the frames whose time is within {@code horizon}
     * (Long.MIN_VALUE: the first frame's time plus the lead and the read-ahead), as far as the room allows and at
     * least one frame.
     */
    private Batch read(int gen, int from, int fromLoops, long horizon, int roomFrames, long roomBytes)
            throws Exception {
        MediaFile f = file;
        List<MediaFrame> out = new ArrayList<>();
        long bytes = 0;
        int i = from;
        int loopsDone = fromLoops;
        boolean end = false;
        long limit = horizon;
        while (out.size() < roomFrames && (out.isEmpty() || bytes < roomBytes)) {
            if (i >= f.sampleCount()) {
                if (!options.loop()) {
                    end = true;
                    break;
                }
                i = 0;
                loopsDone++;
            }
            MediaFile.Sample s = f.sample(i);
            if (loopsDone > 0) {
                shifts(f);
            }
            long millis = s.millis() + loopsDone * loopShiftMillis;
            if (limit == Long.MIN_VALUE) {
                limit = millis + options.leadMillis() + READ_AHEAD_MS;
            } else if (millis > limit) {
                break;
            }
            MediaFrame frame = f.read(i);
            if (loopsDone > 0) {
                frame = frame.shifted(loopsDone * loopShift.getOrDefault(frame.track(), 0L));
            }
            out.add(frame);
            bytes += frame.payload().length;
            i++;
        }
        long nextAt = !end && i < f.sampleCount() ? f.sample(i).millis() + loopsDone * loopShiftMillis : Long.MIN_VALUE;
        return new Batch(gen, out, bytes, i, nextAt, loopsDone, end);
    }

    /**
     * One loop's shift per track: the file's span from its first sample to its last one's end (the last sample's
     * time plus the spacing before it: one frame), the same length of time on every track's timescale, rounded up,
     * so each track's timestamps go on rising across the seam.
     */
    private void shifts(MediaFile f) {
        if (loopShift != null) {
            return;
        }
        Map<Integer, long[]> tracks = new HashMap<>(); // track -> {first dts, previous dts, last dts, timescale}
        for (int i = 0; i < f.sampleCount(); i++) {
            MediaFile.Sample s = f.sample(i);
            long[] t = tracks.get(s.track());
            if (t == null) {
                tracks.put(s.track(), new long[] {s.dts(), s.dts(), s.dts(), s.timescale()});
            } else {
                t[1] = t[2];
                t[2] = Math.max(t[2], s.dts());
                t[0] = Math.min(t[0], s.dts());
            }
        }
        long startMillis = Long.MAX_VALUE;
        long endMillis = Long.MIN_VALUE;
        for (long[] t : tracks.values()) {
            long frame = Math.max(1, t[2] - t[1]);
            startMillis = Math.min(startMillis, Math.floorDiv(t[0] * 1000, t[3]));
            endMillis = Math.max(endMillis, -Math.floorDiv(-(t[2] + frame) * 1000, t[3])); // rounded up
        }
        loopShiftMillis = Math.max(1, endMillis - startMillis);
        Map<Integer, Long> shift = new HashMap<>();
        tracks.forEach((track, t) -> shift.put(track, -Math.floorDiv(-loopShiftMillis * t[3], 1000)));
        loopShift = shift;
    }
}
