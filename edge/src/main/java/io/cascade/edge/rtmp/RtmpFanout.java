package io.cascade.edge.rtmp;

import io.cascade.edge.FrameSink;
import io.cascade.edge.StreamHub;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RTMP output of one stream on this node: encodes each frame once and hands the same bytes to every RTMP
 * viewer. Viewers are grouped by event loop so a frame costs one task per event loop, not one per viewer, and
 * each group flushes its viewers together: at the end of the event loop's current turn (frames that arrived
 * together leave in one system call per viewer), or at most once per flush interval when one is set. Runs on
 * the hub's event loop.
 *
 * <p>Timestamps stay continuous across a republish: the first frame after the publisher came back is shifted
 * to follow the last one sent, and that shift holds for the rest of the publish. Every viewer on this node sees
 * the same shift, so the bytes stay shared.
 */
final class RtmpFanout implements FrameSink {
    /** The gap put between the last frame before a republish and the first after it. */
    static final long REBASE_GAP_MS = 40;

    private final Vertx vertx;
    private final StreamHub hub;
    private final long playWaitMs;
    private final long flushIntervalMs;
    private final FramesToRtmp toRtmp = new FramesToRtmp();
    private final Map<Context, ViewerGroup> groups = new LinkedHashMap<>();
    private final Map<RtmpViewer, Long> waiting = new HashMap<>();
    private boolean sawVideo;
    private boolean rebasePending;
    private long offset;
    private long lastTimestamp = -1;

    RtmpFanout(Vertx vertx, StreamHub hub, long playWaitMs, long flushIntervalMs) {
        this.vertx = vertx;
        this.hub = hub;
        this.playWaitMs = playWaitMs;
        this.flushIntervalMs = flushIntervalMs;
    }

    void add(RtmpViewer viewer) {
        if (hub.isLive()) {
            start(viewer);
        } else {
            long timer = vertx.setTimer(playWaitMs, id -> {
                if (waiting.remove(viewer) != null) {
                    viewer.post(viewer::notFound);
                }
            });
            waiting.put(viewer, timer);
        }
    }

    void remove(RtmpViewer viewer) {
        Long timer = waiting.remove(viewer);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
        ViewerGroup g = groups.get(viewer.context());
        if (g != null) {
            g.remove(viewer);
            if (g.isEmpty()) {
                groups.remove(viewer.context());
            }
        }
    }

    private void start(RtmpViewer viewer) {
        List<RtmpPacket> snapshot = new ArrayList<>();
        for (MediaFrame f : hub.snapshot()) {
            snapshot.add(packet(f));
        }
        viewer.post(() -> viewer.begin(snapshot));
        groups.computeIfAbsent(viewer.context(), c -> new ViewerGroup(vertx, c, flushIntervalMs)).add(viewer);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (groups.isEmpty()) {
            return;
        }
        RtmpPacket p = packet(frame);
        Context here = Vertx.currentContext();
        for (ViewerGroup g : groups.values()) {
            RtmpViewer[] viewers = g.viewers;
            if (g.context == here) {
                g.deliver(viewers, p);
            } else {
                g.context.runOnContext(v -> g.deliver(viewers, p));
            }
        }
    }

    @Override
    public void onStarted() {
        for (ViewerGroup g : groups.values()) {
            for (RtmpViewer v : g.viewers) {
                v.post(v::republished);
            }
        }
        List<RtmpViewer> ready = new ArrayList<>(waiting.keySet());
        waiting.values().forEach(vertx::cancelTimer);
        waiting.clear();
        ready.forEach(this::start);
    }

    @Override
    public void onStopped() {
        rebasePending = true;
        sawVideo = false;
        for (ViewerGroup g : groups.values()) {
            for (RtmpViewer v : g.viewers) {
                v.post(v::unpublished);
            }
        }
    }

    @Override
    public void onClosed() {
        waiting.values().forEach(vertx::cancelTimer);
        waiting.clear();
        groups.clear();
    }

    private RtmpPacket packet(MediaFrame f) {
        sawVideo |= f.trackType() == TrackType.VIDEO;
        long ts = timestamp(f);
        byte[] bytes = toRtmp.encode(f, RtmpPacket.SHARED_STREAM_ID, ts);
        boolean randomAccess = f.trackType() == TrackType.VIDEO ? f.isKeyframe()
                : f.trackType() == TrackType.AUDIO && !sawVideo;
        return new RtmpPacket(f, ts, direct(bytes), randomAccess, f.isConfig() || f.trackType() == TrackType.DATA);
    }

    private long timestamp(MediaFrame f) {
        long ts = f.dtsMillis();
        if (rebasePending) {
            rebasePending = false;
            if (lastTimestamp >= 0) {
                offset = lastTimestamp + REBASE_GAP_MS - ts;
            }
        }
        long out = ts + offset;
        lastTimestamp = Math.max(lastTimestamp, out);
        return out;
    }

    /**
     * Off-heap copy: a heap buffer would be copied to a direct one again by every socket write. The JDK's
     * allocator is used (not Netty's) so the garbage collector frees it once no viewer holds it any more.
     */
    private static ByteBuf direct(byte[] bytes) {
        return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
    }

    /**
     * The viewers of one event loop. The array is replaced, never changed, so the event loop reads it safely;
     * delivery and flushing run on that event loop.
     */
    private static final class ViewerGroup {
        final Vertx vertx;
        final Context context;
        final long flushIntervalMs;
        volatile RtmpViewer[] viewers = new RtmpViewer[0];
        private boolean flushPending;

        ViewerGroup(Vertx vertx, Context context, long flushIntervalMs) {
            this.vertx = vertx;
            this.context = context;
            this.flushIntervalMs = flushIntervalMs;
        }

        void deliver(RtmpViewer[] targets, RtmpPacket p) {
            for (RtmpViewer v : targets) {
                v.deliver(p);
            }
            if (flushPending) {
                return;
            }
            flushPending = true;
            if (flushIntervalMs <= 0) {
                // after the tasks already queued on this event loop: frames that arrived together leave together
                context.runOnContext(v -> {
                    flushPending = false;
                    flush(viewers);
                });
            } else {
                vertx.setTimer(flushIntervalMs, id -> {
                    flushPending = false;
                    flush(viewers);
                });
            }
        }

        private static void flush(RtmpViewer[] targets) {
            for (RtmpViewer v : targets) {
                v.flush();
            }
        }

        void add(RtmpViewer v) {
            RtmpViewer[] next = Arrays.copyOf(viewers, viewers.length + 1);
            next[viewers.length] = v;
            viewers = next;
        }

        void remove(RtmpViewer v) {
            viewers = Arrays.stream(viewers).filter(x -> x != v).toArray(RtmpViewer[]::new);
        }

        boolean isEmpty() {
            return viewers.length == 0;
        }
    }
}
