package io.cascade.edge.fanout;

import io.cascade.settings.Setting;

import java.util.List;

/**
 * How this node treats viewers, the same for every protocol, and the {@code viewer.*} settings it comes from (the
 * {@code rtmp.*} keys these replace stay accepted as deprecated aliases).
 *
 * @param playWaitMs      how long a play of a name nobody publishes waits before not found
 * @param maxBehindMs     a viewer whose queue stays full this long is disconnected
 * @param flushIntervalMs 0: viewers are flushed at the end of each event-loop turn; more: at most once per interval
 */
public record ViewerPolicy(long playWaitMs, long maxBehindMs, long flushIntervalMs) {
    /** Long enough for an encoder that connects a moment after its viewers, short enough to fail a typo quickly. */
    public static final long DEFAULT_PLAY_WAIT_MS = 10_000;
    /** A viewer whose queue stays full this long cannot keep up with the stream at all. */
    public static final long DEFAULT_MAX_BEHIND_MS = 10_000;
    /**
     * 0: viewers are flushed at the end of each event-loop turn, adding no latency. A positive interval (ms)
     * gathers the frames of that window into one write per viewer: fewer system calls for that much latency.
     */
    public static final long DEFAULT_FLUSH_INTERVAL_MS = 0;

    /** About two GOPs of a 6 Mbit/s stream: room for a keyframe burst, and what a viewer may lag before skipping. */
    public static final int DEFAULT_QUEUE_BYTES = 2 << 20;

    public static final ViewerPolicy DEFAULT = new ViewerPolicy(DEFAULT_PLAY_WAIT_MS, DEFAULT_MAX_BEHIND_MS,
            DEFAULT_FLUSH_INTERVAL_MS);

    /** A smaller queue would count a viewer as behind at every keyframe of even a small stream. */
    public static final int MIN_QUEUE_BYTES = 64 << 10;
    /**
     * Queued buffers are shared with every viewer of the stream, so a full queue pins them: past this, a few
     * stalled viewers could hold much of the heap.
     */
    public static final int MAX_QUEUE_BYTES = 256 << 20;
    public static final Setting<Integer> QUEUE_BYTES = Setting.integer("viewer.queue.bytes",
            DEFAULT_QUEUE_BYTES, MIN_QUEUE_BYTES, MAX_QUEUE_BYTES,
            "bytes queued for one viewer before it counts as behind and skips to the next keyframe")
            .withAliases("rtmp.viewer.queue.bytes");

    /** Shorter than a second disconnects viewers over an ordinary network hiccup. */
    public static final long MIN_MAX_BEHIND_MS = 1_000;
    /** A viewer behind for ten minutes is not watching live any more; its socket and queue serve no one. */
    public static final long MAX_MAX_BEHIND_MS = 600_000;
    public static final Setting<Long> MAX_BEHIND_MS = Setting.longInteger("viewer.max.behind.ms",
            DEFAULT_MAX_BEHIND_MS, MIN_MAX_BEHIND_MS, MAX_MAX_BEHIND_MS,
            "a viewer behind for this long is disconnected")
            .withAliases("rtmp.viewer.max.behind.ms");

    /** Each waiting play holds a connection; ten minutes is longer than any encoder takes to connect. */
    public static final long MAX_PLAY_WAIT_MS = 600_000;
    public static final Setting<Long> PLAY_WAIT_MS = Setting.longInteger("viewer.play.wait.ms",
            DEFAULT_PLAY_WAIT_MS, 0, MAX_PLAY_WAIT_MS,
            "how long a play of a name nobody publishes waits before it is refused as not found; `0`: at once")
            .withAliases("rtmp.play.wait.ms");

    /** Past a second of gathering, every frame arrives that much late: the stream is no longer live. */
    public static final long MAX_FLUSH_INTERVAL_MS = 1_000;
    public static final Setting<Long> FLUSH_INTERVAL_MS = Setting.longInteger("viewer.flush.interval.ms",
            DEFAULT_FLUSH_INTERVAL_MS, 0, MAX_FLUSH_INTERVAL_MS,
            "`0`: viewers are flushed at the end of each event-loop turn (no added latency); a positive value gathers"
                    + " that many ms of frames into one write per viewer (fewer system calls, that much latency)")
            .withAliases("rtmp.flush.interval.ms");

    /** The kernel caps send buffers at net.core.wmem_max anyway; more than this is a typo, not a tuning. */
    public static final int MAX_SOCKET_SEND_BYTES = 64 << 20;
    public static final Setting<Integer> SOCKET_SEND_BYTES = Setting.integer("viewer.socket.send.bytes", 0, 0,
            MAX_SOCKET_SEND_BYTES,
            "fixed kernel send buffer per viewer socket (RTMP, RTSP, and every HTTP connection: HTTP-FLV and WebSocket"
                    + " viewers are HTTP connections); `0` keeps the kernel's autotuning")
            .withAliases("rtmp.socket.send.bytes");

    public static final List<Setting<?>> SETTINGS = List.of(PLAY_WAIT_MS, QUEUE_BYTES, MAX_BEHIND_MS,
            SOCKET_SEND_BYTES, FLUSH_INTERVAL_MS);
}
