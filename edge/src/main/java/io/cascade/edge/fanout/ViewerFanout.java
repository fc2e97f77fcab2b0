package io.cascade.edge.fanout;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The viewers of one stream on this node, of every protocol. Each frame is encoded once per protocol that has
 * viewers and the same bytes go to all of that protocol's viewers. Viewers are grouped by event loop, so a frame
 * costs one task per event loop rather than one per viewer, and each group flushes its viewers together: at the
 * end of the event loop's turn (frames that arrived together leave in one system call per viewer), or at most
 * once per flush interval when one is set. A joining viewer gets the current GOP, encoded once per GOP and
 * protocol and shared by everyone who joins during it. Runs on the hub's event loop.
 *
 * <p>When the publisher goes away its viewers stay, paused, and resume with the next publish's config and GOP (its
 * codec settings may differ). Timestamps stay continuous across a republish: the first frame after the publisher
 * came back is shifted to follow the last one sent, and that shift holds for the rest of the publish, the same for
 * every viewer.
 */
public final class ViewerFanout implements FrameSink {
    /** The gap put between the last frame before a republish and the first after it. */
    static final long REBASE_GAP_MS = 40;

    private final Vertx vertx;
    private final StreamHub hub;
    private final ViewerPolicy policy;
    private final List<Encoding> encodings = new ArrayList<>();
    private final Map<Context, ViewerGroup> groups = new LinkedHashMap<>();
    private final Map<Viewer, Long> waiting = new HashMap<>();
    /** Viewers whose publisher went away: they stay connected and resume with the next publish's snapshot. */
    private final Set<Viewer> paused = new LinkedHashSet<>();
    private boolean sawVideo;
    private boolean rebasePending;
    private long offset;
    private long lastTimestamp = -1;

    public ViewerFanout(Vertx vertx, StreamHub hub, ViewerPolicy policy) {
        this.vertx = vertx;
        this.hub = hub;
        this.policy = policy;
    }

    /** Adds a viewer: it starts at once when the stream is live, else it waits up to the play wait. */
    void add(Viewer viewer, String protocol, Supplier<FrameEncoder> encoder) {
        Encoding encoding = encoding(protocol, encoder);
        encoding.viewers++;
        viewer.encoding = encodings.indexOf(encoding);
        if (hub.isLive()) {
            start(viewer);
        } else {
            long timer = vertx.setTimer(policy.playWaitMs(), id -> {
                if (waiting.remove(viewer) != null) {
                    viewer.post(viewer::notFound);
                }
            });
            waiting.put(viewer, timer);
        }
    }

    void remove(Viewer viewer) {
        paused.remove(viewer);
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
        Encoding encoding = encodings.get(viewer.encoding);
        if (--encoding.viewers == 0) {
            encoding.joinFrames = null; // nobody to encode for: the GOP is encoded again when someone comes
        }
    }

    private Encoding encoding(String protocol, Supplier<FrameEncoder> encoder) {
        for (Encoding e : encodings) {
            if (e.protocol.equals(protocol)) {
                return e;
            }
        }
        Encoding created = new Encoding(protocol, encoder.get());
        encodings.add(created);
        return created;
    }

    private void start(Viewer viewer) {
        List<EncodedFrame> snapshot = encodings.get(viewer.encoding).joinFrames();
        viewer.post(() -> viewer.begin(snapshot));
        join(viewer);
    }

    /** A paused viewer goes on with the new publish: its config (which may differ) and GOP, then live frames. */
    private void resume(Viewer viewer) {
        List<EncodedFrame> snapshot = encodings.get(viewer.encoding).joinFrames();
        viewer.post(() -> viewer.resume(snapshot));
        join(viewer);
    }

    private void join(Viewer viewer) {
        groups.computeIfAbsent(viewer.context(), c -> new ViewerGroup(vertx, c, policy.flushIntervalMs())).add(viewer);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (groups.isEmpty()) {
            for (Encoding e : encodings) {
                e.joinFrames = null; // frames pass unencoded: what was encoded of the GOP is incomplete now
            }
            return;
        }
        long ts = timestamp(frame);
        EncodedFrame[] encoded = new EncodedFrame[encodings.size()];
        for (int i = 0; i < encoded.length; i++) {
            Encoding e = encodings.get(i);
            if (e.viewers > 0) {
                encoded[i] = e.encode(frame, ts);
                e.extendJoinFrames(encoded[i]);
            }
        }
        Context here = Vertx.currentContext();
        for (ViewerGroup g : groups.values()) {
            Viewer[] viewers = g.viewers;
            if (g.context == here) {
                g.deliver(viewers, encoded);
            } else {
                g.context.runOnContext(v -> g.deliver(viewers, encoded));
            }
        }
    }

    @Override
    public void onStarted() {
        List<Viewer> back = new ArrayList<>(paused);
        paused.clear();
        back.forEach(this::resume);
        List<Viewer> ready = new ArrayList<>(waiting.keySet());
        waiting.values().forEach(vertx::cancelTimer);
        waiting.clear();
        ready.forEach(this::start);
    }

    @Override
    public void onStopped() {
        rebasePending = true;
        sawVideo = false;
        for (Encoding e : encodings) {
            e.joinFrames = null;
            e.encoder.publishEnded();
        }
        for (ViewerGroup g : groups.values()) {
            for (Viewer v : g.viewers) {
                v.post(v::unpublished);
                paused.add(v);
            }
        }
        groups.clear();
    }

    @Override
    public void onClosed() {
        waiting.values().forEach(vertx::cancelTimer);
        waiting.clear();
        paused.clear();
        groups.clear();
    }

    private long timestamp(MediaFrame f) {
        sawVideo |= f.trackType() == TrackType.VIDEO;
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

    /** One protocol's encoder for this stream, and the current GOP in its bytes for viewers who join. */
    private final class Encoding {
        final String protocol;
        final FrameEncoder encoder;
        int viewers;
        /** The hub's snapshot in this protocol's bytes, or null until a viewer joins. */
        List<EncodedFrame> joinFrames;
        /** The hub's GOP generation {@link #joinFrames} belongs to. */
        long joinGeneration;

        Encoding(String protocol, FrameEncoder encoder) {
            this.protocol = protocol;
            this.encoder = encoder;
        }

        EncodedFrame encode(MediaFrame f, long ts) {
            byte[] bytes = encoder.encode(f, ts);
            if (bytes == null) {
                return null;
            }
            // a data message stands alone: a viewer may resume at it, and a slow one may lose it (only the metadata
            // subscribers' encoding has bytes for it); config and onMetaData are never skipped
            boolean randomAccess = f.trackType() == TrackType.VIDEO ? f.isKeyframe()
                    : f.trackType() == TrackType.AUDIO && !sawVideo || f.isDataMessage();
            boolean essential = f.isConfig() || f.trackType() == TrackType.DATA && !f.isDataMessage();
            return new EncodedFrame(f, ts, direct(bytes), randomAccess, essential);
        }

        /** A live frame the hub appended to its GOP: the shared join frames grow by its encoding. */
        void extendJoinFrames(EncodedFrame f) {
            if (joinFrames == null) {
                return;
            }
            if (hub.gopGeneration() != joinGeneration) {
                joinFrames = null; // a new GOP (or a changed config): encoded afresh for the next joiner
            } else if (f != null && !f.frame().isDataMessage()) { // the GOP cache keeps no data message either
                joinFrames.add(f);
            }
        }

        /**
         * What a joining viewer gets: config, metadata and the current GOP. Config frames carry the timestamp of
         * the GOP's first frame, so a player's first timestamps never lie seconds before its first picture.
         * Returned as an immutable copy: the list keeps growing for later joiners.
         */
        List<EncodedFrame> joinFrames() {
            if (joinFrames == null || hub.gopGeneration() != joinGeneration) {
                List<MediaFrame> frames = hub.snapshot();
                long[] timestamps = new long[frames.size()];
                long firstMedia = -1;
                for (int i = 0; i < timestamps.length; i++) {
                    MediaFrame f = frames.get(i);
                    timestamps[i] = timestamp(f);
                    if (firstMedia < 0 && !f.isConfig() && f.trackType() != TrackType.DATA) {
                        firstMedia = timestamps[i];
                    }
                }
                List<EncodedFrame> encoded = new ArrayList<>(frames.size());
                for (int i = 0; i < timestamps.length; i++) {
                    MediaFrame f = frames.get(i);
                    EncodedFrame e = encode(f, f.isConfig() && firstMedia >= 0 ? firstMedia : timestamps[i]);
                    if (e != null) {
                        encoded.add(e);
                    }
                }
                joinFrames = encoded;
                joinGeneration = hub.gopGeneration();
            }
            return List.copyOf(joinFrames);
        }
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
        volatile Viewer[] viewers = new Viewer[0];
        private boolean flushPending;

        ViewerGroup(Vertx vertx, Context context, long flushIntervalMs) {
            this.vertx = vertx;
            this.context = context;
            this.flushIntervalMs = flushIntervalMs;
        }

        void deliver(Viewer[] targets, EncodedFrame[] encoded) {
            for (Viewer v : targets) {
                v.deliver(encoded[v.encoding]);
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

        private static void flush(Viewer[] targets) {
            for (Viewer v : targets) {
                v.flush();
            }
        }

        void add(Viewer v) {
            Viewer[] next = Arrays.copyOf(viewers, viewers.length + 1);
            next[viewers.length] = v;
            viewers = next;
        }

        void remove(Viewer v) {
            viewers = Arrays.stream(viewers).filter(x -> x != v).toArray(Viewer[]::new);
        }

        boolean isEmpty() {
            return viewers.length == 0;
        }
    }
}
