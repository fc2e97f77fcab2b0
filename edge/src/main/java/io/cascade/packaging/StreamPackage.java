package io.cascade.packaging;

import io.cascade.cluster.FrameBatch;
import io.cascade.edge.FrameSink;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stream's segments on this node, for HLS, DASH and file outputs: collects the frames of each segment the ingest
 * node cut (see {@code Segmenter}) and, when the next one starts, adds the complete segment to a bounded window.
 * Segments this node saw only part of (it joined in their middle) are never listed, so whatever a node lists is
 * byte for byte what every other node lists.
 *
 * <p>Frames arrive on the stream hub's event loop; readers on any thread see immutable {@link SegmentWindow}s.
 */
public final class StreamPackage implements FrameSink {
    /** Playlist requests waiting for a stream's first segment, per stream. */
    public static final int MAX_WAITERS = 1024;
    /**
     * Segments a window keeps while the node's memory budget is over its limit: three target durations are what
     * a live player wants to have buffered before it starts.
     */
    static final int MIN_SEGMENTS_WHEN_OVER_BUDGET = 3;

    private final String name;
    private final PackageSettings settings;
    private final Consumer<Segment> onListed;
    private final ArrayDeque<ListedSegment> segments = new ArrayDeque<>();
    private final List<Promise<SegmentWindow>> waiters = new ArrayList<>();
    private long bytes;
    private volatile SegmentWindow window;

    private String publish;
    private long publishOrdinal;
    private long targetMillis;
    private long lastSequence = -1;
    private MediaFrame videoConfig;
    private MediaFrame audioConfig;

    /** The segment being collected, or null while waiting for a segment start. */
    private List<MediaFrame> current;
    private MediaFrame currentStart;
    private MediaFrame currentVideoConfig;
    private MediaFrame currentAudioConfig;
    private long currentBytes;
    /** dts of the newest video frame of the segment being collected, and the step before it (0: none yet). */
    private long lastVideoDts;
    private long lastVideoStep;
    private boolean currentHasVideo;
    private boolean inSnapshot;

    public StreamPackage(String name, PackageSettings settings) {
        this(name, settings, null);
    }

    /** @param onListed told of each segment as it is listed (file outputs write it), on the hub's event loop */
    public StreamPackage(String name, PackageSettings settings, Consumer<Segment> onListed) {
        this.name = name;
        this.settings = settings;
        this.onListed = onListed;
        this.window = SegmentWindow.empty(name, settings);
    }

    /** What is listed now (may have no segment yet). */
    public SegmentWindow window() {
        return window;
    }

    /**
     * Completes with the window as soon as it lists a segment; null when too many requests wait already. Call on
     * the hub's event loop.
     */
    public Promise<SegmentWindow> whenListed() {
        Promise<SegmentWindow> p = Promise.promise();
        waiters.removeIf(w -> w.future().isComplete()); // requests that gave up waiting
        if (!window.segments().isEmpty()) {
            p.complete(window);
        } else if (waiters.size() < MAX_WAITERS) {
            waiters.add(p);
        } else {
            return null;
        }
        return p;
    }

    @Override
    public void onSnapshot(FrameBatch batch) {
        if (!batch.publish().equals(publish)) {
            finishCurrent(null);
            publish = batch.publish();
            publishOrdinal = batch.publishOrdinal();
            lastSequence = -1;
        }
        targetMillis = batch.segmentTargetMillis();
        // waiting requests are answered once the whole snapshot is listed, not at its first segment
        inSnapshot = true;
        for (MediaFrame f : batch.frames()) {
            onFrame(f);
        }
        inSnapshot = false;
        answerWaiters();
    }

    @Override
    public void onFrame(MediaFrame f) {
        if (f.isConfig()) {
            // not subject to the sequence check: a snapshot lists the latest config of each track ahead of its GOP,
            // by track, so an audio config published before the video config comes after it (a TS source sends
            // audio first); a config seen twice at the seam between snapshot and live feed changes nothing
            if (f.trackType() == TrackType.VIDEO) {
                videoConfig = f;
            } else if (f.trackType() == TrackType.AUDIO) {
                audioConfig = f;
            }
            return;
        }
        if (f.sequence() <= lastSequence) {
            return;
        }
        lastSequence = f.sequence();
        if (f.trackType() == TrackType.DATA || f.segmentIndex() == MediaFrame.NO_SEGMENT) {
            return;
        }
        if (f.isSegmentStart()) {
            finishCurrent(f);
            current = new ArrayList<>();
            currentStart = f;
            currentVideoConfig = videoConfig;
            currentAudioConfig = audioConfig;
            currentBytes = 0;
            currentHasVideo = false; // lastVideoStep carries over: it estimates the end of a publish's last segment
        }
        if (current == null || f.segmentIndex() != currentStart.segmentIndex()) {
            return; // part of a segment whose start this node never saw
        }
        if (currentBytes + f.payload().length > settings.maxStreamBytes()) {
            abandonCurrent(); // a segment larger than the stream's whole budget is not listed
            return;
        }
        if (f.trackType() == TrackType.VIDEO) {
            if (currentHasVideo) {
                lastVideoStep = f.dts() - lastVideoDts;
            }
            lastVideoDts = f.dts();
            currentHasVideo = true;
        }
        current.add(f);
        currentBytes += f.payload().length;
        settings.memory().windows.take(f.payload().length); // kept when the segment is listed, given back when dropped
    }

    private void abandonCurrent() {
        settings.memory().windows.give(currentBytes);
        current = null;
        currentBytes = 0;
    }

    @Override
    public void onStarted() {
    }

    @Override
    public void onStopped() {
        finishCurrent(null);
    }

    private void drop() {
        ListedSegment oldest = segments.poll();
        bytes -= oldest.segment().payloadBytes();
        settings.memory().windows.give(oldest.segment().payloadBytes());
        oldest.release();
    }

    @Override
    public void onClosed() {
        abandonCurrent();
        while (!segments.isEmpty()) {
            drop();
        }
        window = SegmentWindow.empty(name, settings);
        waiters.clear();
    }

    /**
     * Lists the segment being collected. {@code next} is the frame starting the following segment of the same
     * publish, which says exactly where this one ends; without it (the publisher left) the end is estimated.
     */
    private void finishCurrent(MediaFrame next) {
        if (current == null || current.isEmpty()) {
            current = null;
            return;
        }
        boolean exactEnd = next != null && !next.isDiscontinuity();
        long endMillis;
        long videoEnd;
        MediaFrame last = current.get(current.size() - 1);
        if (exactEnd) {
            endMillis = next.dtsMillis();
            videoEnd = next.trackType() == TrackType.VIDEO ? next.dts() : lastVideoDts + lastVideoStep;
        } else {
            long step = lastVideoStep > 0 ? lastVideoStep : 0;
            videoEnd = lastVideoDts + step;
            endMillis = Math.max(last.dtsMillis(), step > 0 ? Math.floorDiv(videoEnd * 1000, last.timescale()) : last.dtsMillis());
        }
        long start = currentStart.dtsMillis();
        Segment s = new Segment(currentStart.segmentIndex(), publishOrdinal, currentStart.isDiscontinuity(),
                currentStart.clockAnchorMillis(), currentVideoConfig, currentAudioConfig, current, start,
                Math.max(1, endMillis - start), videoEnd, currentBytes);
        current = null;
        currentBytes = 0; // now the listed segment's, counted in the budget until it is dropped
        add(s);
    }

    private void add(Segment s) {
        ListedSegment newest = segments.peekLast();
        if (newest != null && s.index() != newest.segment().index() + 1) {
            // numbers must run on without a gap: a playlist's media sequence numbers are positions
            while (!segments.isEmpty()) {
                drop();
            }
        }
        segments.add(new ListedSegment(s, settings));
        bytes += s.payloadBytes();
        while (segments.size() > settings.capacity() || (bytes > settings.maxStreamBytes() && segments.size() > 1)) {
            drop();
        }
        while (settings.memory().over() && segments.size() > MIN_SEGMENTS_WHEN_OVER_BUDGET) {
            settings.memory().shrunk();
            drop();
        }
        window = window.next(List.copyOf(segments), targetMillis);
        if (onListed != null) {
            onListed.accept(s);
        }
        if (!inSnapshot) {
            answerWaiters();
        }
    }

    private void answerWaiters() {
        if (window.segments().isEmpty()) {
            return;
        }
        for (Promise<SegmentWindow> p : waiters) {
            p.tryComplete(window);
        }
        waiters.clear();
    }
}
